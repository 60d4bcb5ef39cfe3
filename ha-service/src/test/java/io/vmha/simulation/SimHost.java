package io.vmha.simulation;

import io.vmha.core.HostAgent;
import io.vmha.core.HostCapacity;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.MasterAgent;
import io.vmha.core.RestartPolicy;
import io.vmha.core.Timings;
import io.vmha.core.VmSpec;
import io.vmha.core.port.Clock;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.LocalVm;

import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One simulated machine: its hypervisor (whose instances are facts recorded in the {@link Ledger}) and
 * its vmha daemon, which runs the real {@link HostAgent} and {@link MasterAgent} every loop interval and
 * whenever its view changes or an instance exits. A crash takes machine and instances; a daemon restart
 * keeps the instances; a pause freezes the whole daemon (its ZooKeeper client too) while VMs run on.
 */
final class SimHost implements Hypervisor, Clock, io.vmha.core.port.HealthChecks {
    static final long LOOP_MILLIS = 100;
    /** Virtual wall time 0 is this date (2024-01-01T00:00:00Z), so wall times look like real ones. */
    static final long WALL_BASE = 1_704_067_200_000L;
    /** The fence guard checks its deadline this often (its kill latency), on multiples of this period. */
    static final long GUARD_PERIOD_MILLIS = 100;

    private final String name;
    private final HostCapacity capacity;
    private long wallOffsetMillis;
    private final Simulation sim;
    private final SortedMap<String, LocalVm> instances = new TreeMap<>();
    private boolean machineUp;
    private boolean partitioned;
    private boolean paused;
    /** Grows on every daemon start, so that events of a dead daemon do nothing. */
    private long generation;
    private long boots;
    /** Grows on every machine crash, so that a slow stop under way does not outlive the machine. */
    private long crashes;
    private SimCoordination coordination;
    private HostAgent agent;
    private MasterAgent master;
    private boolean wakePending;
    private long instanceCounter;
    /** This daemon's heartbeat thread, when the pool has a heartbeat disk. */
    private SimHeartbeat heartbeat;
    /** The fence guard (a separate process, machine-wide): its deadline as last fed, and its pending check. */
    private long guardDeadline = io.vmha.core.port.Connection.NEVER;
    private long guardCheckAt = -1;
    private long guardToken;
    /** slow-stop: how long a hard stop (daemon or guard) takes on this machine to take effect; 0 = at once. */
    private long stopLatencyMillis;
    /** VMs whose hard stop is under way (the instance still runs until then). */
    private final java.util.Set<String> stopping = new java.util.TreeSet<>();
    /** The guests' health faults and the daemon's health-check runner. */
    private final SimGuests guests;
    /** NIC links, reachable addresses and the daemon's health samplers; null when the host monitors nothing. */
    private final SimHealth health;
    /** Live migration (hypervisor side and the daemon's tunnel end), when the pool has it on. */
    private final SimMigration migration;

    SimHost(String name, HostCapacity capacity, long wallOffsetMillis, Simulation sim) {
        this.name = name;
        this.capacity = capacity;
        this.wallOffsetMillis = wallOffsetMillis;
        this.sim = sim;
        this.guests = new SimGuests(this, sim);
        io.vmha.core.HealthPolicy policy = sim.cluster().health.get(name);
        this.health = policy == null ? null : new SimHealth(name, policy, sim);
        this.migration = sim.cluster().liveMigration ? new SimMigration(this, sim) : null;
    }

    SimMigration liveMigration() { return migration; }

    @Override
    public java.util.Optional<io.vmha.core.port.LiveMigration> migration() { return java.util.Optional.ofNullable(migration); }

    /** Wake the daemon, if one runs (a hypervisor event). */
    void wakeDaemon() { if (generation >= 0) wake(generation); }

    /** A migrated copy starts executing here under {@code epoch}. */
    LocalVm adoptMigrated(String vm, long epoch) {
        String id = vm + "@" + name + "#" + (++instanceCounter);
        LocalVm running = new LocalVm(vm, epoch, id, true, "");
        instances.put(vm, running);
        sim.ledger().started(vm, id, name);
        guests.started(vm, id);
        return running;
    }

    /** The running daemon's generation, -1 when none runs. */
    long daemonGeneration() { return generation; }

    io.vmha.core.port.LocalVm instance(String vm) { return instances.get(vm); }

    /** guest-hang, guest-panic, guest-ok, probe-fail, probe-ok on this machine's instance of {@code vm}. */
    void guestFault(String verb, String vm, boolean always) {
        LocalVm inst = instances.get(vm);
        if (inst != null && !inst.running()) inst = null;
        if (guests.fault(verb, vm, always, inst)) {
            sim.log().record(name, "hypervisor: " + verb + " on instance " + inst.instanceId() + " of vm " + vm
                    + (always ? " (and every later instance here)" : ""));
        }
    }

    // ---- HealthChecks (the daemon's runner) --------------------------------------------------------

    @Override
    public void watch(SortedMap<String, io.vmha.core.HealthTarget> targets) { guests.watch(targets, generation); }

    @Override
    public List<io.vmha.core.HealthResult> drain() { return guests.drain(); }

    String name() { return name; }

    /** This machine's NICs and probed addresses, for nic-down, unreachable and their inverses. */
    SimHealth health() {
        if (health == null) throw new IllegalArgumentException("host " + name + " monitors no NIC or address");
        return health;
    }

    boolean partitioned() { return partitioned; }

    boolean paused() { return paused; }

    boolean machineUp() { return machineUp; }

    HostState agentState() { return agent == null ? null : agent.state(); }

    // ---- lifecycle -------------------------------------------------------------------------------

    /** Start the daemon (the machine boots first if it was down). */
    void boot() {
        machineUp = true;
        paused = false;
        generation = ++boots;
        long inc = generation;
        long incarnation = wallMillis();
        Timings timings = sim.timings();
        coordination = new SimCoordination(this, sim.coordinator(), sim.scheduler(), sim.log(), timings,
                sim.propagationDelayMillis(), inc);
        HostRecord self = new HostRecord(name, capacity, incarnation, HostState.JOINING);
        if (sim.disk() != null) {
            heartbeat = new SimHeartbeat(name, incarnation, sim.disk(), sim.scheduler(), sim.log(), timings.diskTimeoutMillis());
            agent = new HostAgent(self, coordination, this, heartbeat, this, this, sim.log(), timings);
            HostAgent a = agent;
            master = new MasterAgent(name, coordination, heartbeat, a::state, this, sim.log(), timings, sim.policy(),
                    sim.cluster().migrationPolicy, sim::secret);
        } else {
            agent = new HostAgent(self, coordination, this, new io.vmha.core.NoHeartbeatDisk(), this, this, sim.log(), timings);
            HostAgent a = agent;
            master = new MasterAgent(name, coordination, new io.vmha.core.NoHeartbeatDisk(), a::state, this, sim.log(), timings,
                    sim.policy(), sim.cluster().migrationPolicy, sim::secret);
        }
        if (migration != null) agent.enableMigration(migration);
        if (health != null) {
            agent.monitorHealth(new io.vmha.core.HostHealthMonitors(name, health.policy(), sim.log()), health);
        }
        sim.log().record(name, "daemon started (boot " + inc + "), " + instances.size() + " local instance(s)");
        Random random = sim.random();
        long probePhase = random.nextInt((int) timings.leaseProbeMillis());
        long loopPhase = random.nextInt((int) LOOP_MILLIS);
        coordination.roundTrip();
        sim.scheduler().after(probePhase, name + " lease probe", () -> probe(inc));
        sim.scheduler().after(loopPhase, name + " loop", () -> loop(inc));
        if (heartbeat != null) {
            long diskPhase = random.nextInt((int) timings.diskIntervalMillis());
            sim.scheduler().after(diskPhase, name + " heartbeat round", () -> diskRound(inc));
        }
        if (health != null) health.startSamplers(() -> generation, inc, () -> paused);
        wake(inc);
    }

    /** The machine dies: its instances vanish at once, its daemon with them. */
    void crash() {
        stopDaemon();
        machineUp = false;
        for (LocalVm vm : instances.values()) if (vm.running()) sim.ledger().stopped(vm.vm(), vm.instanceId());
        if (migration != null) migration.killAll("machine crashed");
        instances.clear();
        stopping.clear();
        crashes++;
        // The guard process dies with the machine; a booted machine starts one with nothing to guard.
        guardDeadline = io.vmha.core.port.Connection.NEVER;
        guardCheckAt = -1;
        guardToken++;
    }

    /** kill-daemon: the daemon (and its heartbeat thread) dies; the VMs and the fence guard live on. */
    void killDaemon() {
        if (!machineUp) return;
        stopDaemon();
        sim.log().record(name, "daemon killed; " + running() + " instance(s) keep running, guard deadline "
                + (guardDeadline == io.vmha.core.port.Connection.NEVER ? "none" : String.format(java.util.Locale.ROOT,
                "%.3f", guardDeadline / 1000.0)));
    }

    private long running() { return instances.values().stream().filter(LocalVm::running).count(); }

    /** slow-stop: from now on hard stops on this machine take {@code millis} to take effect (0: at once). */
    void slowStop(long millis) { stopLatencyMillis = millis; }

    /** clock-step: the machine's wall clock jumps (NTP step, operator); its monotonic clock does not. */
    void stepWallClock(long deltaMillis) { wallOffsetMillis += deltaMillis; }

    /** Daemon killed and started again (instances survive), or the machine booted after a crash. */
    void restart() {
        stopDaemon();
        boot();
    }

    private void stopDaemon() {
        guests.daemonGone();
        if (coordination != null) coordination.close();
        coordination = null;
        agent = null;
        master = null;
        heartbeat = null;
        generation = -1;
    }

    void partition(boolean cut) {
        partitioned = cut;
        if (!cut) reconnect();
    }

    void pause(boolean stop) {
        paused = stop;
        if (!stop) reconnect();
    }

    /**
     * The network (or the coordinator, or the daemon) is back: the ZooKeeper client, which retries while
     * disconnected, gets through at once rather than at its next lease probe.
     */
    void reconnect() {
        if (!machineUp || generation < 0) return;
        long inc = generation;
        sim.scheduler().after(0, name + " reconnect", () -> {
            if (inc == generation && !paused) coordination.roundTrip();
        });
        wake(inc);
    }

    private void probe(long inc) {
        if (inc != generation) return;
        if (!paused) coordination.roundTrip();
        sim.scheduler().after(sim.timings().leaseProbeMillis(), name + " lease probe", () -> probe(inc));
    }

    private void diskRound(long inc) {
        if (inc != generation) return;
        if (!paused) heartbeat.round();
        sim.scheduler().after(sim.timings().diskIntervalMillis(), name + " heartbeat round", () -> diskRound(inc));
    }

    private void loop(long inc) {
        if (inc != generation) return;
        step();
        sim.scheduler().after(LOOP_MILLIS, name + " loop", () -> loop(inc));
    }

    /** Ask for a step as soon as possible (a view change, an exit); coalesced. */
    void wake(long inc) {
        if (inc != generation || wakePending) return;
        wakePending = true;
        sim.scheduler().after(0, name + " wake", () -> {
            wakePending = false;
            if (inc == generation) step();
        });
    }

    private void step() {
        if (paused || agent == null) return;
        try {
            agent.step();
            if (sim.disk() != null && sim.cluster().fenceGuard) feedGuard(agent.runUntil());
            master.step();
        } catch (RuntimeException e) {
            // The real daemon's loop would die (or spin) on this: a core bug, never an expected outcome.
            SimulationFailure failure = sim.failure("core threw on " + name + ": " + e);
            failure.initCause(e);
            throw failure;
        }
    }

    /** kill-vm: the instance exits as if killed; the daemon is woken like by a libvirt lifecycle event. */
    boolean kill(String vm) {
        LocalVm inst = instances.get(vm);
        if (inst == null || !inst.running()) return false;
        instances.put(vm, new LocalVm(vm, inst.epoch(), inst.instanceId(), false, "killed by signal 9"));
        sim.ledger().stopped(vm, inst.instanceId());
        if (migration != null) migration.stopped(vm);
        sim.log().record(name, "hypervisor: instance " + inst.instanceId() + " of vm " + vm + " exited (killed by signal 9)");
        wake(generation);
        return true;
    }

    // ---- the fence guard ---------------------------------------------------------------------------

    /**
     * The daemon feeds the guard after every step with {@code HostAgent.runUntil()}. The guard is its own
     * process: it keeps the last deadline while the daemon is paused or dead, checks it every
     * {@link #GUARD_PERIOD_MILLIS}, and kills every running instance once it has passed.
     */
    private void feedGuard(long deadline) {
        guardDeadline = deadline;
        armGuard();
    }

    private void armGuard() {
        long now = sim.scheduler().now();
        long due = Math.max(now, guardDeadline);
        long at = (due + GUARD_PERIOD_MILLIS - 1) / GUARD_PERIOD_MILLIS * GUARD_PERIOD_MILLIS;
        if (guardCheckAt >= 0 && guardCheckAt <= at) return; // an earlier check is pending; it re-arms itself
        guardCheckAt = at;
        long token = ++guardToken;
        sim.scheduler().at(at, name + " guard check", () -> guardCheck(token));
    }

    private void guardCheck(long token) {
        if (token != guardToken || !machineUp) return;
        guardCheckAt = -1;
        if (sim.scheduler().now() < guardDeadline) {
            armGuard();
            return;
        }
        java.util.List<String> killed = new java.util.ArrayList<>();
        if (migration != null) {
            killed.addAll(migration.incoming().keySet().stream().map(vm -> vm + " (paused copy)").toList());
            for (String vm : migration.incoming().keySet()) migration.discardIncoming(vm, "killed by the fence guard");
        }
        for (LocalVm inst : new java.util.ArrayList<>(instances.values())) {
            if (!inst.running() || stopping.contains(inst.vm())) continue;
            hardStop(inst, true);
            killed.add(inst.vm());
        }
        if (!killed.isEmpty()) {
            sim.log().record("guard", name + ": deadline " + String.format(java.util.Locale.ROOT, "%.3f", guardDeadline / 1000.0)
                    + " passed; killed " + killed);
            if (generation >= 0) wake(generation);
        }
    }

    // ---- Clock -----------------------------------------------------------------------------------

    @Override public long monotonicMillis() { return sim.scheduler().now(); }

    @Override public long wallMillis() { return WALL_BASE + sim.scheduler().now() + wallOffsetMillis; }

    // ---- Hypervisor ------------------------------------------------------------------------------

    @Override
    public SortedMap<String, LocalVm> instances() { return new TreeMap<>(instances); }

    @Override
    public LocalVm start(VmSpec spec, long epoch) throws HypervisorException {
        LocalVm existing = instances.get(spec.name());
        if (existing != null && existing.running()) {
            throw new HypervisorException("vm " + spec.name() + " already runs here as " + existing.instanceId());
        }
        String id = spec.name() + "@" + name + "#" + (++instanceCounter);
        LocalVm started = new LocalVm(spec.name(), epoch, id, true, "");
        instances.put(spec.name(), started);
        sim.ledger().started(spec.name(), id, name);
        guests.started(spec.name(), id);
        return started;
    }

    @Override
    public void stop(String vm, String reason) {
        LocalVm inst = instances.get(vm);
        if (inst == null) return;
        if (!inst.running()) {
            instances.remove(vm);
            return;
        }
        if (!stopping.contains(vm)) hardStop(inst, false);
    }

    /**
     * Kill one instance, now or after the slow-stop latency (it runs until then: the ledger says so). The daemon's
     * stop forgets the instance; the guard's kill leaves an exited instance for the daemon to acknowledge.
     */
    private void hardStop(LocalVm inst, boolean byGuard) {
        Runnable done = () -> {
            LocalVm now = instances.get(inst.vm());
            stopping.remove(inst.vm());
            if (now == null || !now.instanceId().equals(inst.instanceId()) || !now.running()) return;
            if (byGuard) {
                instances.put(inst.vm(), new LocalVm(inst.vm(), inst.epoch(), inst.instanceId(), false, "killed by the fence guard"));
            } else {
                instances.remove(inst.vm());
            }
            sim.ledger().stopped(inst.vm(), inst.instanceId());
            if (migration != null) migration.stopped(inst.vm());
        };
        if (stopLatencyMillis == 0) {
            done.run();
            return;
        }
        stopping.add(inst.vm());
        long machine = crashes;
        sim.scheduler().after(stopLatencyMillis, name + " stop " + inst.vm(), () -> {
            if (machine != crashes || !machineUp) return;
            done.run();
            sim.log().record(name, "hypervisor: instance " + inst.instanceId() + " of vm " + inst.vm() + " is gone (slow stop)");
            if (generation >= 0) wake(generation);
        });
    }

    @Override
    public void acknowledgeExit(String vm) {
        LocalVm inst = instances.get(vm);
        if (inst != null && !inst.running()) instances.remove(vm);
    }

    /** A reset kills the instance and starts a new one under the same epoch, at once (no slow-stop latency). */
    @Override
    public void reset(String vm, String reason) throws HypervisorException {
        LocalVm inst = instances.get(vm);
        if (inst == null || !inst.running()) throw new HypervisorException("vm " + vm + ": no running instance on " + name);
        instances.remove(vm);
        sim.ledger().stopped(vm, inst.instanceId());
        String id = vm + "@" + name + "#" + (++instanceCounter);
        instances.put(vm, new LocalVm(vm, inst.epoch(), id, true, ""));
        sim.ledger().started(vm, id, name);
        guests.started(vm, id);
        sim.log().record(name, "hypervisor: vm " + vm + " reset: instance " + inst.instanceId() + " => " + id);
    }

    @Override
    public GuestPing pingGuest(String vm, long timeoutMillis) {
        LocalVm inst = instances.get(vm);
        return inst == null ? GuestPing.NOT_MONITORED : guests.ping(inst, inst.instanceId());
    }

    @Override
    public String processMarker() { return "vmha-simulated-vm"; }

    /** The simulator's guard kills through {@link #hardStop}, not by pid. */
    @Override
    public List<Long> runningPids() { return List.of(); }
}
