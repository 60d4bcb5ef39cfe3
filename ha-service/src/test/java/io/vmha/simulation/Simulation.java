package io.vmha.simulation;

import io.vmha.core.RestartPolicy;
import io.vmha.core.Timings;
import io.vmha.core.VmSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A deterministic run of one pool: one virtual clock, one seeded {@link Random}, one event queue, one
 * thread. The real core ({@code HostAgent}, {@code MasterAgent}) runs against in-memory ports; faults
 * are commands at virtual times; the invariants are checked after every event.
 */
final class Simulation {
    /** Events allowed per host per virtual second (loop 10, probes, deliveries, wakes): beyond it the run is stuck. */
    private static final long EVENTS_PER_HOST_SECOND = 200;

    /** What a finished run leaves behind. */
    record Result(List<String> log, int doubleRuns, List<String> inError, long events) {}

    private final ClusterSpec cluster;
    private final List<Command> commands;
    private final String replay;
    private final Scheduler scheduler = new Scheduler();
    private final Random random;
    private final SimLog log = new SimLog(scheduler);
    private final Ledger ledger = new Ledger();
    private final SimCoordinator coordinator;
    private final Invariants invariants = new Invariants(this);
    private final SortedMap<String, SimHost> hosts = new TreeMap<>();
    /** The shared heartbeat disk; null in a pool without one. */
    private final SimDisk disk;
    private final SimStreams streams = new SimStreams(this);
    private long secrets;
    private long requests;

    /**
     * @param random the run's only source of randomness (already used to generate the scenario, if random)
     * @param replay how to run this again, printed with any failure
     */
    Simulation(ClusterSpec cluster, List<Command> commands, Random random, String replay) {
        this.cluster = cluster;
        this.commands = List.copyOf(commands);
        this.random = random;
        this.replay = replay;
        this.coordinator = new SimCoordinator(scheduler, log, cluster.timings.sessionTimeoutMillis());
        List<String> names = new ArrayList<>();
        for (ClusterSpec.Host h : cluster.hosts) names.add(h.name());
        this.disk = cluster.heartbeatDisk ? new SimDisk(names, log) : null;
        streams.rateMibPerSecond = cluster.migrationRateMibPerSecond;
        for (ClusterSpec.Host h : cluster.hosts) {
            hosts.put(h.name(), new SimHost(h.name(), h.capacity(), h.wallOffsetMillis(), this));
        }
    }

    // ---- what the parts share --------------------------------------------------------------------

    Scheduler scheduler() { return scheduler; }
    Random random() { return random; }

    SimStreams streams() { return streams; }

    /** Migration tokens: unique and deterministic (the real master uses a SecureRandom). */
    String secret() { return String.format(java.util.Locale.ROOT, "sim-token-%08d", ++secrets); }
    SimLog log() { return log; }
    Ledger ledger() { return ledger; }
    SimCoordinator coordinator() { return coordinator; }
    SimDisk disk() { return disk; }
    ClusterSpec cluster() { return cluster; }
    Timings timings() { return cluster.timings; }
    RestartPolicy policy() { return cluster.policy; }
    long propagationDelayMillis() { return cluster.propagationDelayMillis; }

    SimulationFailure failure(String what) {
        return new SimulationFailure("INVARIANT " + what + "\n  at " + String.format(java.util.Locale.ROOT, "%.3f",
                scheduler.now() / 1000.0) + " s, seed " + cluster.seed + "\n  replay: " + replay
                + "\n  last 40 log lines:\n" + log.tail(40));
    }

    // ---- the run ---------------------------------------------------------------------------------

    Result run() {
        scheduler.at(0, "boot", () -> hosts.values().forEach(SimHost::boot));
        scheduler.at(cluster.vmsDefinedAtMillis, "define vms", () -> cluster.vms.forEach(this::define));
        for (Command c : commands) scheduler.at(c.atMillis(), c.toString(), () -> apply(c));
        long cap = EVENTS_PER_HOST_SECOND * (hosts.size() + 1) * (cluster.durationMillis / 1000 + 1);
        while (scheduler.runNext(cluster.durationMillis)) {
            invariants.afterEvent();
            if (scheduler.executed() > cap) {
                throw failure("run stuck: more than " + cap + " events before " + cluster.durationMillis + " ms");
            }
        }
        List<String> inError = invariants.atEnd();
        return new Result(List.copyOf(log.lines()), invariants.doubleRuns(), inError, scheduler.executed());
    }

    private void define(VmSpec spec) {
        log.record("command", "define vm " + spec.name() + " (" + spec.memoryMib() + " MiB"
                + (spec.haEnabled() ? "" : ", HA disabled")
                + (spec.preferredHosts().isEmpty() ? "" : ", prefers " + spec.preferredHosts())
                + (spec.networks().isEmpty() ? "" : ", needs networks " + spec.networks()) + ")");
        invariants.defined(spec);
        coordinator.defineVm(spec);
    }

    private void apply(Command c) {
        log.record("command", c.toString());
        switch (c.verb()) {
            case "crash" -> host(c).crash();
            case "restart" -> host(c).restart();
            case "partition" -> host(c).partition(true);
            case "heal" -> host(c).partition(false);
            case "pause" -> host(c).pause(true);
            case "resume" -> host(c).pause(false);
            case "zk-down" -> coordinator.down();
            case "zk-up" -> {
                coordinator.restore();
                hosts.values().forEach(SimHost::reconnect);
            }
            case "kill-vm" -> killVm(c.arg(0));
            case "kill-daemon" -> host(c).killDaemon();
            case "disk-stall", "disk-ok", "disk-error", "torn-slot" -> {
                if (disk == null) throw new IllegalArgumentException("command '" + c + "': the pool has no heartbeat disk");
                if (!c.arg(0).equals("all")) host(c);
                disk.fault(c.verb(), c.arg(0));
            }
            case "clock-step" -> host(c).stepWallClock(parseDelta(c.arg(1)));
            case "nic-down", "nic-up" -> host(c).health().link(c.arg(1), c.verb().equals("nic-up"));
            case "unreachable", "reachable" -> host(c).health().reach(c.arg(1), c.verb().equals("reachable"));
            case "slow-stop" -> host(c).slowStop(parseDelta(c.arg(1)));
            case "add-vm" -> {
                Map<String, String> kv = new TreeMap<>(ClusterSpec.keyValues(c.args()));
                kv.put("memory-mib", c.arg(1));
                define(ClusterSpec.vm(c.arg(0), kv));
            }
            case "guest-hang", "guest-panic", "guest-ok", "probe-fail", "probe-ok" -> guestFault(c);
            case "migrate" -> request(c.arg(0), c.args().size() > 1 ? c.arg(1) : "", false);
            case "cancel-migration" -> request(c.arg(0), "", true);
            case "cut-tunnel" -> {
                if (!streams.cut(c.arg(0))) log.record("command", c + ": no stream in flight");
            }
            case "remove-vm" -> {
                invariants.undefined(c.arg(0));
                coordinator.undefineVm(c.arg(0));
            }
            default -> throw new IllegalArgumentException("unknown command " + c);
        }
    }

    /** An operator's {@code vmha vm migrate [--cancel]}: a request the master acts on. */
    private void request(String vm, String to, boolean cancel) {
        io.vmha.core.MigrationRequest r = new io.vmha.core.MigrationRequest(vm, "r" + (++requests), to, 0, 0, cancel, "command");
        if (!coordinator.putRequest(r)) log.record("command", "request refused: vm " + vm + " has a pending request");
    }

    /** {@code +30s}, {@code -30s}, {@code +1500ms}. */
    static long parseDelta(String text) {
        boolean ms = text.endsWith("ms");
        String number = text.substring(0, text.length() - (ms ? 2 : text.endsWith("s") ? 1 : 0));
        double value = Double.parseDouble(number);
        return Math.round(ms ? value : value * 1000);
    }

    private SimHost host(Command c) {
        SimHost h = hosts.get(c.arg(0));
        if (h == null) throw new IllegalArgumentException("command '" + c + "': no host " + c.arg(0) + " in " + hosts.keySet());
        return h;
    }

    private void killVm(String vm) {
        List<String> where = new ArrayList<>(ledger.instances(vm).values());
        if (where.isEmpty()) {
            log.record("command", "kill-vm " + vm + ": no running instance, nothing to kill");
            return;
        }
        for (String host : where) hosts.get(host).kill(vm);
    }

    /** A guest fault hits the VM's running instance(s); {@code always}: also every later instance on that host. */
    private void guestFault(Command c) {
        boolean always = c.args().size() > 1 && c.arg(1).equals("always");
        List<String> where = new ArrayList<>(ledger.instances(c.arg(0)).values());
        if (where.isEmpty()) log.record("command", c + ": no running instance");
        for (String host : where) hosts.get(host).guestFault(c.verb(), c.arg(0), always);
    }

    SortedMap<String, SimHost> hosts() { return hosts; }
}
