package io.vmha.demo;

import io.vmha.coordination.PoolAdmin;
import io.vmha.core.HostRecord;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Ownership;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/** The scripted faults of {@code vmha demo --scenario}: each injects faults and waits for recovery. */
final class Scenarios {
    static final List<String> NAMES = List.of("vm-crash", "host-crash", "master-crash", "daemon-pause", "host-isolation",
            "zk-outage", "disk-stall", "guest-hang", "migration", "migration-source-crash", "migration-target-crash");
    /** Scenarios whose fault must stop no VM and fence nobody. */
    static final List<String> NO_FENCE = List.of("zk-outage", "disk-stall", "migration");

    private final DemoPool pool;
    private final Random random;
    private final PrintStream out;
    private final long recoveryTimeoutMillis;
    private final long durationMillis;
    /** Scenario-specific checks, e.g. "storage_degraded_reported", added to the report's invariants. */
    final java.util.Map<String, Boolean> checks = new java.util.LinkedHashMap<>();

    /** The guest-hang scenario, which also judges its latency from the disks once the pool is down. */
    final GuestHang guestHang;
    /** The same with real guests on qemu: a hang inside the guest, reset by qemu's system_reset. */
    final QemuGuestHang qemuGuestHang;
    /** Live migrations through the tunnel (qemu), or their refusal (sim). */
    final MigrationScenario migration;

    Scenarios(DemoPool pool, long seed, PrintStream out, long recoveryTimeoutMillis, long durationMillis) {
        this.durationMillis = durationMillis;
        this.pool = pool;
        this.random = new Random(seed);
        this.guestHang = new GuestHang(pool, random, out, recoveryTimeoutMillis);
        this.qemuGuestHang = new QemuGuestHang(pool, random, out, recoveryTimeoutMillis);
        this.migration = new MigrationScenario(pool, random, out, recoveryTimeoutMillis);
        this.out = out;
        this.recoveryTimeoutMillis = recoveryTimeoutMillis;
    }

    static void validate(String scenario, int hosts, int vms, int failures) {
        if (!NAMES.contains(scenario)) throw new InvalidInputException("--scenario", scenario, "one of " + NAMES);
        if (failures < 1) throw new InvalidInputException("--failures", failures, "1 or more");
        boolean perVm = scenario.equals("vm-crash") || scenario.equals("guest-hang") || scenario.equals("migration");
        if (perVm && failures > vms) {
            throw new InvalidInputException("--failures", failures, "at most --vms (" + vms + ") for " + scenario);
        }
        if (!perVm && !NO_FENCE.contains(scenario) && failures >= hosts) {
            throw new InvalidInputException("--failures", failures, "fewer than --hosts (" + hosts + ") for " + scenario
                    + ": a host must survive to restart the VMs");
        }
    }

    /** Run {@code scenario}; returns the faults injected, each already recovered from (or timed out). */
    List<Fault> run(String scenario, int failures) throws Exception {
        return switch (scenario) {
            case "vm-crash" -> List.of(crashVms(failures));
            case "host-crash" -> List.of(crashHosts(failures));
            case "master-crash" -> crashMasters(failures);
            case "daemon-pause" -> List.of(pauseDaemons(failures));
            case "host-isolation" -> List.of(isolateHosts(failures));
            case "zk-outage" -> List.of(zooKeeperOutage());
            case "disk-stall" -> List.of(diskStall());
            case "guest-hang" -> List.of(pool.qemu() ? qemuGuestHang.run(failures, checks) : guestHang.run(failures, checks));
            case "migration" -> List.of(migration.run(failures, checks));
            case "migration-source-crash" -> List.of(migration.crashDuringMigration(true, checks));
            case "migration-target-crash" -> List.of(migration.crashDuringMigration(false, checks));
            default -> throw new IllegalArgumentException(scenario);
        };
    }

    private Fault crashVms(int count) throws Exception {
        PoolAdmin.PoolStatus s = pool.status();
        List<String> names = new ArrayList<>(s.vmMap().keySet());
        Collections.shuffle(names, random);
        SortedMap<String, Long> affected = new TreeMap<>();
        List<Long> pids = new ArrayList<>();
        for (String vm : names.subList(0, count)) {
            Ownership o = s.ownerMap().get(vm);
            pids.add(pool.host(o.host()).vmPid(vm));
            affected.put(vm, o.epoch());
        }
        long at = nowMicros();
        for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        out.println("fault: killed " + affected.keySet() + " with SIGKILL");
        Fault fault = new Fault("kill -9 of VMs " + affected.keySet(), at, affected);
        awaitRecovery(fault);
        return fault;
    }

    private Fault crashHosts(int count) throws Exception {
        PoolAdmin.PoolStatus s = pool.status();
        List<String> victims = victims(s, count);
        SortedMap<String, Long> affected = DemoPool.ownedByAny(s, victims);
        long at = nowMicros();
        for (String h : victims) pool.host(h).crash();
        out.println("fault: power loss of host(s) " + victims + " running " + affected.size() + " VMs");
        Fault fault = new Fault("power loss of " + victims, at, affected);
        awaitRecovery(fault);
        return fault;
    }

    /**
     * SIGSTOP of the agent JVMs only (their VMs and fence guards keep running) past the session timeout: the
     * guard must kill the VMs by the daemon's deadline, before the master restarts them elsewhere.
     */
    private Fault pauseDaemons(int count) throws Exception {
        PoolAdmin.PoolStatus s = pool.status();
        List<String> victims = victims(s, count);
        SortedMap<String, Long> affected = DemoPool.ownedByAny(s, victims);
        long at = nowMicros();
        for (String h : victims) pool.host(h).signalDaemon("STOP");
        out.println("fault: SIGSTOP of the daemon of " + victims + " running " + affected.size() + " VMs");
        Fault fault = new Fault("SIGSTOP of the daemons of " + victims, at, affected);
        try {
            awaitRecovery(fault);
        } finally {
            for (String h : victims) pool.host(h).signalDaemon("CONT");
            out.println("SIGCONT sent to " + victims);
        }
        pool.await("the paused hosts to rejoin", st -> DemoPool.healthy(st, pool.hosts().size()), recoveryTimeoutMillis);
        return fault;
    }

    /** Cut hosts off from ZooKeeper (their heartbeat disk still works) for the duration, then heal. */
    private Fault isolateHosts(int count) throws Exception {
        PoolAdmin.PoolStatus s = pool.status();
        List<String> victims = victims(s, count);
        SortedMap<String, Long> affected = DemoPool.ownedByAny(s, victims);
        long at = nowMicros();
        for (String h : victims) pool.partition(h, true);
        out.println("fault: " + victims + " cut off from ZooKeeper for " + durationMillis / 1000 + " s, running "
                + affected.size() + " VMs");
        Fault fault = new Fault("partition of " + victims + " from ZooKeeper", at, affected);
        awaitRecovery(fault);
        sleepUntil(at + durationMillis * 1000);
        for (String h : victims) pool.partition(h, false);
        out.println("healed " + victims);
        pool.await("the cut-off hosts to rejoin", st -> DemoPool.healthy(st, pool.hosts().size()), recoveryTimeoutMillis);
        return fault;
    }

    /** Stop the ZooKeeper server itself for the duration: every VM must keep running, nobody fences. */
    private Fault zooKeeperOutage() throws Exception {
        long at = nowMicros();
        pool.stopZooKeeper();
        out.println("fault: ZooKeeper down for " + durationMillis / 1000 + " s");
        sleepUntil(at + durationMillis * 1000);
        pool.startZooKeeper();
        out.println("ZooKeeper back");
        checks.put("pool_healthy_after_outage",
                pool.await("the pool to recover", st -> DemoPool.healthy(st, pool.hosts().size()), recoveryTimeoutMillis));
        return new Fault("ZooKeeper down for " + durationMillis / 1000 + " s", at, new TreeMap<>(), true);
    }

    /** Freeze the filesystem holding the heartbeat file (fsfreeze) while ZooKeeper is healthy. */
    private Fault diskStall() throws Exception {
        long at = nowMicros();
        pool.freezeHeartbeat(true);
        out.println("fault: heartbeat storage frozen for " + durationMillis / 1000 + " s");
        boolean seen = false;
        try {
            long deadline = System.nanoTime() + durationMillis * 1_000_000;
            while (System.nanoTime() < deadline) {
                seen |= pool.status().members().stream().anyMatch(h -> h.alarms().contains(HostRecord.STORAGE_DEGRADED));
                Thread.sleep(200);
            }
        } finally {
            pool.freezeHeartbeat(false);
        }
        out.println("heartbeat storage thawed; storage-degraded " + (seen ? "was" : "was NOT") + " reported");
        checks.put("storage_degraded_reported", seen);
        return new Fault("heartbeat storage frozen for " + durationMillis / 1000 + " s", at, new TreeMap<>(), true);
    }

    /** {@code count} hosts chosen by the seed, the master last (master-crash covers the master itself). */
    private List<String> victims(PoolAdmin.PoolStatus s, int count) {
        List<String> candidates = new ArrayList<>(s.memberMap().keySet());
        candidates.remove(s.master());
        Collections.shuffle(candidates, random);
        if (candidates.size() < count) candidates.add(s.master());
        return new ArrayList<>(candidates.subList(0, count));
    }

    private static void sleepUntil(long micros) throws InterruptedException {
        long left = (micros - nowMicros()) / 1000;
        if (left > 0) Thread.sleep(left);
    }

    private List<Fault> crashMasters(int count) throws Exception {
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PoolAdmin.PoolStatus s = pool.status();
            String master = s.master();
            SortedMap<String, Long> affected = DemoPool.ownedBy(s, master);
            long at = nowMicros();
            pool.host(master).crash();
            out.println("fault: power loss of master " + master + " running " + affected.size() + " VMs");
            Fault fault = new Fault("power loss of master " + master, at, affected);
            pool.await("a new master", st -> !st.master().isEmpty() && !st.master().equals(master),
                    recoveryTimeoutMillis);
            awaitRecovery(fault);
            faults.add(fault);
        }
        return faults;
    }

    /** Wait until every VM the fault took down runs again under a newer epoch on a live host. */
    private void awaitRecovery(Fault fault) throws Exception {
        boolean ok = pool.await("recovery", s -> recovered(s, fault.affected()) && DemoPool.allRunning(s),
                recoveryTimeoutMillis);
        out.println(ok ? "recovered: " + StatusLine.of(pool.status())
                : "NOT recovered within " + recoveryTimeoutMillis / 1000 + " s: " + StatusLine.of(pool.status()));
    }

    static boolean recovered(PoolAdmin.PoolStatus s, Map<String, Long> affected) {
        Map<String, Ownership> owners = s.ownerMap();
        Map<String, ?> members = s.memberMap();
        for (Map.Entry<String, Long> e : affected.entrySet()) {
            Ownership o = owners.get(e.getKey());
            if (!DemoPool.runsOnLiveHost(o, members) || o.epoch() <= e.getValue()) return false;
        }
        return true;
    }

    static long simPid(Path stateDir, String vm) throws IOException {
        String json = Files.readString(stateDir.resolve(vm + ".json"));
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("pid").asLong();
    }

    static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }
}
