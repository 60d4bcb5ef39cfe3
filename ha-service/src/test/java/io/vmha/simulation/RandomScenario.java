package io.vmha.simulation;

import io.vmha.core.HostCapacity;
import io.vmha.core.VmSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A random pool (2–5 hosts, 3–15 VMs that always fit) and a random fault mix over {@link #FAULTS_UNTIL_MILLIS}:
 * kill-vm, crash (and reboot later), daemon restart, partition/heal, zk-down/zk-up, add-vm, remove-vm.
 * Pause is left out: without the fence guard a paused daemon can run a VM twice (a known limitation).
 * At the end every fault is undone and the pool settles for {@link #SETTLE_MILLIS}.
 *
 * <p>With the heartbeat disk on ({@link #withDisk}) the pool also has a fence guard per host, and the mix adds
 * what only the disk and the guard make safe: pause past the session, kill-daemon (VMs survive), disk-stall and
 * disk-error of one host or of all, torn slot writes, ±30 s wall-clock steps and slow hard stops (within the
 * stop deadline), over {@link #DISK_FAULTS_UNTIL_MILLIS}.
 */
final class RandomScenario {
    static final long FAULTS_UNTIL_MILLIS = 60_000;
    static final long SETTLE_MILLIS = 40_000;
    static final long DISK_FAULTS_UNTIL_MILLIS = 45_000;
    static final long DISK_SETTLE_MILLIS = 35_000;

    final ClusterSpec cluster = new ClusterSpec();
    final List<Command> commands = new ArrayList<>();
    private final Random random;
    private long budgetMib;
    private int added;

    RandomScenario(long seed, Random random) { this(seed, random, false); }

    private final boolean disk;

    static RandomScenario withDisk(long seed, Random random) { return new RandomScenario(seed, random, true); }

    private RandomScenario(long seed, Random random, boolean disk) {
        this.random = random;
        this.disk = disk;
        cluster.seed = seed;
        cluster.heartbeatDisk = disk;
        cluster.durationMillis = disk ? DISK_FAULTS_UNTIL_MILLIS + DISK_SETTLE_MILLIS : FAULTS_UNTIL_MILLIS + SETTLE_MILLIS;
        int hosts = 2 + random.nextInt(disk ? 3 : 4);
        long capacity = 0;
        for (int i = 1; i <= hosts; i++) {
            long mib = random.nextBoolean() ? 8192 : 16384;
            capacity += mib;
            cluster.hosts.add(new ClusterSpec.Host("h" + i, new HostCapacity(mib, 64), 0));
        }
        // Each VM is at most a quarter of the smallest host and all of them at most 60 % of the pool,
        // so greedy placement always finds room once every host is back: (d) may demand "exactly once".
        budgetMib = capacity * 6 / 10;
        int vms = 3 + random.nextInt(13);
        for (int i = 1; i <= vms; i++) {
            VmSpec spec = randomVm("v" + i);
            if (spec != null) cluster.vms.add(spec);
        }
        if (disk) diskFaults(); else faults();
        healthFaults(new Random(seed * 1_000_003L + 17), disk ? DISK_FAULTS_UNTIL_MILLIS : FAULTS_UNTIL_MILLIS);
        if (seed % 2 != 0) migrations(new Random(seed * 7_919L + 3), disk ? DISK_FAULTS_UNTIL_MILLIS : FAULTS_UNTIL_MILLIS);
    }

    /**
     * Live migration on odd seeds (even seeds keep stop-and-start moves), from its own seeded generator: operator
     * migrations to a random host or to placement's choice, cancels and tunnel cuts, all landing among the other
     * faults. A short timeout lets every stuck move end well inside the settle time.
     */
    private void migrations(Random r, long until) {
        cluster.liveMigration = true;
        cluster.migrationPolicy = new io.vmha.core.MigrationPolicy(1 + r.nextInt(2), 10_000, 0, 0);
        cluster.migrationRateMibPerSecond = 128 + r.nextInt(1024);
        List<String> vms = cluster.vms.stream().map(VmSpec::name).toList();
        int n = 4 + r.nextInt(10);
        for (int i = 0; i < n && !vms.isEmpty(); i++) {
            long t = 2_000 + (long) r.nextInt((int) (until - 2_000));
            String vm = vms.get(r.nextInt(vms.size()));
            int dice = r.nextInt(100);
            if (dice < 45) {
                commands.add(Command.at(t, "migrate", vm, cluster.hosts.get(r.nextInt(cluster.hosts.size())).name()));
            } else if (dice < 70) {
                commands.add(Command.at(t, "migrate", vm));
            } else if (dice < 85) {
                commands.add(Command.at(t, "cancel-migration", vm));
            } else {
                commands.add(Command.at(t, "cut-tunnel", vm));
            }
        }
        commands.sort(java.util.Comparator.comparingLong(Command::atMillis));
    }

    /**
     * VM health on top of either mix, from its own seeded generator so the pool and the other faults stay what
     * they were for this seed: about half the VMs get a guest heartbeat, some a probe (reset or relocate) or an
     * own restart policy with backoff; guests hang (once, or on every instance of that host), panic, or fail
     * their probe. Nothing is undone at the end: a VM whose reset budget is spent still runs, which (d) accepts.
     */
    private void healthFaults(Random r, long until) {
        List<String> monitored = new ArrayList<>();
        for (int i = 0; i < cluster.vms.size(); i++) {
            VmSpec v = cluster.vms.get(i);
            if (r.nextInt(2) == 0) continue;
            Map<String, String> kv = new TreeMap<>();
            kv.put("guest", "high");
            kv.put("guest-failure-s", Integer.toString(2 + r.nextInt(3)));
            kv.put("guest-uptime-s", Integer.toString(r.nextInt(4)));
            kv.put("guest-ping-ms", "500");
            kv.put("guest-max-resets", Integer.toString(1 + r.nextInt(3)));
            kv.put("guest-window-s", "600");
            if (r.nextInt(3) == 0) kv.put("probe", r.nextBoolean() ? "reset" : "relocate");
            kv.put("probe-threshold", "2");
            if (r.nextInt(4) == 0) kv.put("restart", (1 + r.nextInt(3)) + "/600/" + (1 + r.nextInt(2)) + "/1/4");
            cluster.vms.set(i, v.withHealth(ClusterSpec.health(kv)));
            monitored.add(v.name());
        }
        if (monitored.isEmpty()) return;
        for (long t = 3000 + r.nextInt(3000); t < until; t += 2000 + r.nextInt(6000)) {
            String vm = monitored.get(r.nextInt(monitored.size()));
            int dice = r.nextInt(100);
            if (dice < 45) commands.add(Command.at(t, "guest-hang", vm));
            else if (dice < 55) commands.add(Command.at(t, "guest-hang", vm, "always"));
            else if (dice < 70) commands.add(Command.at(t, "guest-panic", vm));
            else if (dice < 85) commands.add(Command.at(t, "probe-fail", vm));
            else commands.add(Command.at(t, "guest-ok", vm));
        }
        commands.sort(java.util.Comparator.comparingLong(Command::atMillis));
    }

    private VmSpec randomVm(String name) {
        long[] sizes = {512, 1024, 2048};
        long mib = sizes[random.nextInt(sizes.length)];
        if (mib > budgetMib) mib = 512;
        if (mib > budgetMib) return null;
        budgetMib -= mib;
        boolean ha = random.nextInt(10) != 0;
        List<String> prefer = random.nextInt(5) == 0
                ? List.of(cluster.hosts.get(random.nextInt(cluster.hosts.size())).name()) : List.of();
        return new VmSpec(name, mib, 1, "sim", Map.of(), ha, prefer);
    }

    /** The disk-on mix: every fault ends by {@link #DISK_FAULTS_UNTIL_MILLIS}; at most one fault per host at a time. */
    private void diskFaults() {
        long until = DISK_FAULTS_UNTIL_MILLIS;
        Map<String, Long> busyUntil = new TreeMap<>();
        Map<String, Long> diskBusyUntil = new TreeMap<>();
        long allDiskUntil = 0;
        List<String> vms = new ArrayList<>();
        cluster.vms.forEach(v -> vms.add(v.name()));
        long zkDownUntil = 0;
        for (long t = 2000 + random.nextInt(3000); t < until; t += 300 + random.nextInt(4000)) {
            String host = cluster.hosts.get(random.nextInt(cluster.hosts.size())).name();
            boolean hostFree = busyUntil.getOrDefault(host, 0L) <= t;
            boolean diskFree = diskBusyUntil.getOrDefault(host, 0L) <= t && allDiskUntil <= t;
            long end = Math.min(until, t + 500 + random.nextInt(15_000));
            int dice = random.nextInt(100);
            if (dice < 14 && !vms.isEmpty()) {
                commands.add(Command.at(t, "kill-vm", vms.get(random.nextInt(vms.size()))));
            } else if (dice < 24 && hostFree) {
                commands.add(Command.at(t, "crash", host));
                commands.add(Command.at(end, "restart", host));
                busyUntil.put(host, end + 1);
            } else if (dice < 30 && hostFree) {
                commands.add(Command.at(t, "restart", host));
            } else if (dice < 37 && hostFree) {
                commands.add(Command.at(t, "kill-daemon", host));
                commands.add(Command.at(end, "restart", host));
                busyUntil.put(host, end + 1);
            } else if (dice < 50 && hostFree) {
                commands.add(Command.at(t, "partition", host));
                commands.add(Command.at(end, "heal", host));
                busyUntil.put(host, end + 1);
            } else if (dice < 60 && hostFree) {
                commands.add(Command.at(t, "pause", host));
                commands.add(Command.at(end, "resume", host));
                busyUntil.put(host, end + 1);
            } else if (dice < 67 && zkDownUntil <= t) {
                zkDownUntil = Math.min(until, t + 500 + random.nextInt(20_000));
                commands.add(Command.at(t, "zk-down"));
                commands.add(Command.at(zkDownUntil, "zk-up"));
                zkDownUntil++;
            } else if (dice < 75 && diskFree) {
                commands.add(Command.at(t, random.nextInt(3) == 0 ? "disk-error" : "disk-stall", host));
                commands.add(Command.at(end, "disk-ok", host));
                diskBusyUntil.put(host, end + 1);
            } else if (dice < 79 && Math.max(allDiskUntil, diskBusyUntil.values().stream().mapToLong(Long::longValue).max().orElse(0)) <= t) {
                commands.add(Command.at(t, "disk-stall", "all"));
                commands.add(Command.at(end, "disk-ok", "all"));
                allDiskUntil = end + 1;
            } else if (dice < 85) {
                commands.add(Command.at(t, "torn-slot", host));
            } else if (dice < 89) {
                commands.add(Command.at(t, "clock-step", host, random.nextBoolean() ? "+30s" : "-30s"));
            } else if (dice < 91) {
                // Hard stops that take time, but within the stop deadline the timings promise (guard latency included).
                long budget = cluster.timings.stopDeadlineMillis() - SimHost.GUARD_PERIOD_MILLIS;
                commands.add(Command.at(t, "slow-stop", host, random.nextInt((int) budget + 1) + "ms"));
            } else if (dice < 96) {
                VmSpec spec = randomVm("x" + (++added));
                if (spec != null) {
                    vms.add(spec.name());
                    commands.add(Command.at(t, "add-vm", spec.name(), Long.toString(spec.memoryMib()),
                            "ha=" + spec.haEnabled()));
                }
            } else if (vms.size() > 1) {
                String vm = vms.remove(random.nextInt(vms.size()));
                commands.add(Command.at(t, "remove-vm", vm));
            }
        }
        commands.sort(java.util.Comparator.comparingLong(Command::atMillis));
    }

    private void faults() {
        Map<String, Long> downUntil = new TreeMap<>();
        List<String> vms = new ArrayList<>();
        cluster.vms.forEach(v -> vms.add(v.name()));
        long zkDownUntil = 0;
        for (long t = 2000 + random.nextInt(3000); t < FAULTS_UNTIL_MILLIS; t += 500 + random.nextInt(5500)) {
            String host = cluster.hosts.get(random.nextInt(cluster.hosts.size())).name();
            boolean hostUp = downUntil.getOrDefault(host, 0L) <= t;
            int dice = random.nextInt(100);
            if (dice < 25 && !vms.isEmpty()) {
                commands.add(Command.at(t, "kill-vm", vms.get(random.nextInt(vms.size()))));
            } else if (dice < 40 && hostUp) {
                long back = Math.min(FAULTS_UNTIL_MILLIS, t + 2000 + random.nextInt(18_000));
                commands.add(Command.at(t, "crash", host));
                commands.add(Command.at(back, "restart", host));
                downUntil.put(host, back + 1);
            } else if (dice < 50 && hostUp) {
                commands.add(Command.at(t, "restart", host));
            } else if (dice < 75 && hostUp) {
                long heal = Math.min(FAULTS_UNTIL_MILLIS, t + 500 + random.nextInt(11_500));
                commands.add(Command.at(t, "partition", host));
                commands.add(Command.at(heal, "heal", host));
                downUntil.put(host, heal + 1);
            } else if (dice < 85 && zkDownUntil <= t) {
                zkDownUntil = Math.min(FAULTS_UNTIL_MILLIS, t + 500 + random.nextInt(9500));
                commands.add(Command.at(t, "zk-down"));
                commands.add(Command.at(zkDownUntil, "zk-up"));
                zkDownUntil++;
            } else if (dice < 93) {
                VmSpec spec = randomVm("x" + (++added));
                if (spec != null) {
                    vms.add(spec.name());
                    commands.add(Command.at(t, "add-vm", spec.name(), Long.toString(spec.memoryMib()),
                            "ha=" + spec.haEnabled()));
                }
            } else if (vms.size() > 1) {
                String vm = vms.remove(random.nextInt(vms.size()));
                commands.add(Command.at(t, "remove-vm", vm));
            }
        }
        commands.sort(java.util.Comparator.comparingLong(Command::atMillis));
    }
}
