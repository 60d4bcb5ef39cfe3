package io.vmha.core;

import io.vmha.core.port.Clock;
import io.vmha.core.port.Connection;
import io.vmha.core.port.HealthChecks;
import io.vmha.core.port.HealthReadings;
import io.vmha.core.port.HeartbeatDisk;
import io.vmha.core.port.Coordination;
import io.vmha.core.port.CoordinationException;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.Journal;
import io.vmha.core.port.LocalVm;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Runs one host: each {@link #step()} reads the ports, asks {@link HostLogic} what to do, logs the
 * state change and carries the actions out. Used unchanged by the daemon and by the simulator.
 * Not thread-safe: one loop thread calls step().
 */
public final class HostAgent {
    private final HostRecord self;
    private final Coordination coordination;
    private final Hypervisor hypervisor;
    private final Clock clock;
    private final Journal journal;
    private final HostLogic logic;
    private final StateMachine<HostState> state;
    private final HeartbeatDisk disk;
    private final HealthChecks checks;
    private final HostHealth health;
    private volatile long runUntil = Connection.NEVER;
    private PoisonPill lastAcknowledgedPill;
    private volatile java.util.List<String> alarms = java.util.List.of();
    /** Host-health monitoring, when configured: readings are drained at the start of every step. */
    private HostHealthMonitors monitors;
    private HealthReadings readings;
    private volatile java.util.List<String> networks = java.util.List.of();
    /** Live migration, when the driver migrates and a tunnel is configured. */
    private MigrationActions migrations;
    private io.vmha.core.port.LiveMigration liveMigration;
    private String tunnelEndpoint = "";

    public HostAgent(HostRecord self, Coordination coordination, Hypervisor hypervisor, Clock clock,
                     Journal journal, Timings timings) {
        this(self, coordination, hypervisor, new NoHeartbeatDisk(), clock, journal, timings);
    }

    public HostAgent(HostRecord self, Coordination coordination, Hypervisor hypervisor, HeartbeatDisk disk,
                     Clock clock, Journal journal, Timings timings) {
        this(self, coordination, hypervisor, disk, HealthChecks.NONE, clock, journal, timings);
    }

    /** @param checks runs the guest pings and probes of the VMs this host owns ({@link HostHealth} decides) */
    public HostAgent(HostRecord self, Coordination coordination, Hypervisor hypervisor, HeartbeatDisk disk,
                     HealthChecks checks, Clock clock, Journal journal, Timings timings) {
        this.checks = checks;
        this.health = new HostHealth(self.name(), journal);
        this.self = self;
        this.disk = disk;
        this.coordination = coordination;
        this.hypervisor = hypervisor;
        this.clock = clock;
        this.journal = journal;
        this.logic = new HostLogic(timings);
        this.state = new StateMachine<>(self.name(), "host " + self.name(), HostState.JOINING,
                HostState.TRANSITIONS, journal);
    }

    public HostState state() { return state.state(); }

    public String name() { return self.name(); }

    /** Monotonic time by which every local VM must be stopped unless a later step extends it: the guard's deadline. */
    public long runUntil() { return runUntil; }

    /** Alarms raised by the last step ({@link HostRecord#STORAGE_DEGRADED}, ...). */
    public java.util.List<String> alarms() { return alarms; }

    /**
     * Watch this host's health: from the next step on, the published record carries the networks {@code monitors}
     * says the host provides and its health alarms. Call before the first step, from the loop's thread.
     */
    public void monitorHealth(HostHealthMonitors monitors, HealthReadings readings) {
        this.monitors = monitors;
        this.readings = readings;
    }

    /**
     * Take part in live migrations through {@code tunnel}, if the driver can migrate. Call before the first step,
     * from the loop's thread.
     */
    public void enableMigration(io.vmha.core.port.MigrationTunnel tunnel) {
        hypervisor.migration().ifPresent(lm -> {
            this.liveMigration = lm;
            this.tunnelEndpoint = tunnel.endpoint();
            this.migrations = new MigrationActions(self.name(), coordination, lm, tunnel, journal);
        });
    }

    /** The logical networks this host provided at the last step. */
    public java.util.List<String> networks() { return networks; }

    /** This host's record as health monitoring sees it now: networks provided and health alarms. */
    private HostRecord observeHealth() {
        if (monitors == null) return self;
        for (HealthReading r : readings.drain()) monitors.observe(r);
        HostHealthMonitors.Status status = monitors.status();
        if (!status.networks().equals(networks)) {
            journal.record(self.name(), "networks provided " + networks + " => " + status.networks());
            coordination.event(self.name(), "networks provided " + status.networks());
            networks = status.networks();
        }
        return self.withNetworks(status.networks()).withAlarms(status.alarms());
    }

    public void step() {
        PoolView view = coordination.view();
        Connection connection = coordination.connection();
        long now = clock.monotonicMillis();
        HostRecord me = observeHealth();
        List<HealthResult> results = checks.drain();
        if (migrations != null) me = me.withTunnel(tunnelEndpoint);
        HostLogic.Plan plan = logic.plan(new HostLogic.Input(me, state.state(), connection, now,
                clock.wallMillis(), view, hypervisor.instances(), disk.view(), health.alarms(),
                liveMigration == null ? null : liveMigration.incoming(), liveMigration == null ? null : liveMigration.outgoing()));
        runUntil = plan.runUntil();
        if (state.transition(plan.next(), plan.reason())) {
            coordination.event(self.name(), "host state " + plan.next() + " (" + plan.reason() + ")");
        }
        if (!plan.alarms().equals(alarms)) {
            journal.record(self.name(), "alarms " + alarms + " => " + plan.alarms());
            coordination.event(self.name(), "alarms " + plan.alarms());
            alarms = plan.alarms();
        }
        // After the first coordinator failure in a step, the step's remaining coordinator work is skipped:
        // each such call may block up to the adapter's bound, and a step that strings several of them
        // together would starve the fence guard of feeds. Local stops still run; the next step replans.
        boolean coordinatorFailed = false;
        for (HostAction action : plan.actions()) {
            if (coordinatorFailed && needsCoordinator(action)) continue;
            try {
                execute(action);
            } catch (CoordinationException e) {
                coordinatorFailed = true;
                journal.record(self.name(), "action failed, retried next step: " + action + ": " + e.getMessage());
            } catch (HypervisorException | RuntimeException e) {
                journal.record(self.name(), "action failed, retried next step: " + action + ": " + e.getMessage());
            }
        }
        stepHealth(view, now, results);
        publishSlot(connection, now);
    }

    /**
     * Guest heartbeat and probes: only an ACTIVE host acts on them (a frozen or fenced one touches nothing,
     * and watches again from the minimum uptime once it is back).
     */
    private void stepHealth(PoolView view, long now, List<HealthResult> results) {
        if (state.state() != HostState.ACTIVE) {
            health.clear();
        } else {
            for (HostAction action : health.step(now, clock.wallMillis(), view, hypervisor.instances(), results)) {
                try {
                    execute(action);
                } catch (CoordinationException | HypervisorException | RuntimeException e) {
                    journal.record(self.name(), "health action failed: " + action + ": " + e.getMessage());
                }
            }
        }
        checks.watch(health.targets());
    }

    /** Tell the heartbeat disk what this host is and runs now; the adapter writes it on its next interval. */
    private void publishSlot(Connection connection, long now) {
        SortedMap<String, LocalVm> local = hypervisor.instances();
        SortedMap<String, Long> epochs = new TreeMap<>();
        for (LocalVm vm : local.values()) if (vm.running()) epochs.put(vm.vm(), vm.epoch());
        long sinceContact = connection.everContacted() ? Math.min(Integer.MAX_VALUE, Math.max(0, now - connection.lastContactMillis())) : Integer.MAX_VALUE;
        disk.publish(new HeartbeatSlot(self.name(), self.incarnation(), 0, connection.state(), connection.sessionId(),
                sinceContact, HostLogic.fenceState(state.state(), local), epochs));
    }

    /** Leave the pool on purpose (daemon shutdown): VMs keep running, the record says LEAVING. */
    public void leave() {
        state.transition(HostState.LEAVING, "daemon shutting down");
    }

    private static boolean needsCoordinator(HostAction action) {
        return action instanceof HostAction.Publish || action instanceof HostAction.Report
                || action instanceof HostAction.Start || action instanceof HostAction.Activate
                || action instanceof HostAction.ResumeAfterMigration;
    }

    private void execute(HostAction action) throws CoordinationException, HypervisorException {
        if (action instanceof HostAction.Publish p) {
            coordination.publishHost(p.record());
        } else if (action instanceof HostAction.Stop s) {
            hypervisor.stop(s.vm(), s.why());
            journal.record(self.name(), "vm " + s.vm() + " stopped (" + s.why() + ")");
        } else if (action instanceof HostAction.AcknowledgePill p) {
            disk.acknowledgePill(p.pill());
            // The plan repeats the acknowledgement until the adapter has cleared the mailbox: say it once.
            if (!p.pill().equals(lastAcknowledgedPill)) {
                journal.record(self.name(), "poison pill from " + p.pill().from() + " acted on; mailbox cleared");
                lastAcknowledgedPill = p.pill();
            }
        } else if (action instanceof HostAction.Acknowledge a) {
            hypervisor.acknowledgeExit(a.vm());
        } else if (action instanceof HostAction.Report r) {
            report(r);
        } else if (action instanceof HostAction.Start s) {
            start(s);
        } else if (action instanceof HostAction.Reset r) {
            reset(r);
        } else if (action instanceof HostAction.Relocate r) {
            relocate(r);
        } else if (MigrationActions.handles(action)) {
            if (migrations == null) throw new HypervisorException("no live migration on this host: " + action);
            migrations.execute(action);
        }
    }

    private boolean stillRuns(String vm, String instanceId) {
        LocalVm inst = hypervisor.instances().get(vm);
        return inst != null && inst.running() && inst.instanceId().equals(instanceId);
    }

    private void reset(HostAction.Reset r) throws HypervisorException {
        if (!stillRuns(r.vm(), r.instanceId())) return;
        hypervisor.reset(r.vm(), r.why());
        journal.record(self.name(), "vm " + r.vm() + " reset in place (" + r.why() + ")");
        coordination.event(self.name(), "vm " + r.vm() + " reset in place (" + r.why() + ")");
    }

    /** Stop first, report second: the master may restart the VM elsewhere as soon as the record says FAILED. */
    private void relocate(HostAction.Relocate r) throws CoordinationException, HypervisorException {
        String vm = r.next().vm();
        if (!stillRuns(vm, r.instanceId())) return;
        hypervisor.stop(vm, r.next().reason());
        journal.record(self.name(), "vm " + vm + " stopped (" + r.next().reason() + ")");
        LocalVm after = hypervisor.instances().get(vm);
        if (after != null && after.running()) {
            // Not gone yet (a slow stop): no report; once it is gone the record is reported as lost.
            journal.record(self.name(), "vm " + vm + " still stopping; relocation not reported yet");
            return;
        }
        report(new HostAction.Report(r.next(), r.expectedVersion(), false));
    }

    private void report(HostAction.Report r) throws CoordinationException {
        if (coordination.writeOwner(r.next(), r.expectedVersion())) {
            journal.record(self.name(), "vm " + r.next().vm() + " " + r.next().state() + " at epoch "
                    + r.next().epoch() + " (" + r.next().reason() + ")");
            if (r.acknowledgeExit()) hypervisor.acknowledgeExit(r.next().vm());
        }
    }

    private void start(HostAction.Start s) throws CoordinationException, HypervisorException {
        String vm = s.spec().name();
        Optional<Versioned<Ownership>> fresh = coordination.readOwner(vm);
        if (fresh.isEmpty() || !fresh.get().value().ownedBy(self.name()) || fresh.get().value().epoch() != s.epoch()
                || fresh.get().value().state() != VmState.STARTING) {
            journal.record(self.name(), "vm " + vm + " not started: epoch " + s.epoch() + " is no longer this host's");
            return;
        }
        Versioned<Ownership> current = fresh.get();
        LocalVm started;
        try {
            started = hypervisor.start(s.spec(), s.epoch());
        } catch (HypervisorException e) {
            coordination.writeOwner(current.value().failed(clock.wallMillis(), "start failed: " + e.getMessage()),
                    current.version());
            throw e;
        }
        journal.record(self.name(), "vm " + vm + " started at epoch " + s.epoch());
        coordination.writeOwner(current.value().running(started.instanceId(), "running as " + started.instanceId()),
                current.version());
    }
}
