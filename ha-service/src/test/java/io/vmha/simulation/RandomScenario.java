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
 */
final class RandomScenario {
    static final long FAULTS_UNTIL_MILLIS = 60_000;
    static final long SETTLE_MILLIS = 40_000;

    final ClusterSpec cluster = new ClusterSpec();
    final List<Command> commands = new ArrayList<>();
    private final Random random;
    private long budgetMib;
    private int added;

    RandomScenario(long seed, Random random) {
        this.random = random;
        cluster.seed = seed;
        cluster.durationMillis = FAULTS_UNTIL_MILLIS + SETTLE_MILLIS;
        int hosts = 2 + random.nextInt(4);
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
        faults();
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
