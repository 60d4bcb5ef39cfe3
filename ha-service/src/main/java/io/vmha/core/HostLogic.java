package io.vmha.core;

import io.vmha.core.port.Connection;
import io.vmha.core.port.ConnectionState;
import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.LocalVm;
import io.vmha.core.port.OutgoingVm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * One host's decisions, as a pure function of what it sees: its coordinator connection, the pool
 * snapshot, and the instances its hypervisor runs. The rules, in order:
 * <ol>
 * <li>Lease expired or session LOST: FENCED, hard-stop everything (nothing may run twice).</li>
 * <li>Suspended within the lease: FROZEN, touch nothing.</li>
 * <li>Connected: reconcile local instances against {@code owners/} (stop what it does not own at the
 *     current epoch, report exits), rejoin if needed, and — only when ACTIVE — start what it owns.</li>
 * </ol>
 */
public final class HostLogic {
    /**
     * What the host sees at one step; {@code disk} is {@link DiskView#none()} in a pool without one;
     * {@code healthAlarms} are the VM-health alarms ({@link HostHealth#alarms()}) to publish with the host's own.
     */
    public record Input(HostRecord self, HostState state, Connection connection, long nowMono, long nowWall,
                        PoolView view, SortedMap<String, LocalVm> local, DiskView disk, List<String> healthAlarms,
                        SortedMap<String, IncomingVm> incoming, SortedMap<String, OutgoingVm> outgoing) {
        public Input {
            healthAlarms = healthAlarms == null ? List.of() : List.copyOf(healthAlarms);
            incoming = incoming == null ? new java.util.TreeMap<>() : incoming;
            outgoing = outgoing == null ? new java.util.TreeMap<>() : outgoing;
        }

        public Input(HostRecord self, HostState state, Connection connection, long nowMono, long nowWall,
                     PoolView view, SortedMap<String, LocalVm> local, DiskView disk, List<String> healthAlarms) {
            this(self, state, connection, nowMono, nowWall, view, local, disk, healthAlarms, null, null);
        }

        public Input(HostRecord self, HostState state, Connection connection, long nowMono, long nowWall,
                     PoolView view, SortedMap<String, LocalVm> local, DiskView disk) {
            this(self, state, connection, nowMono, nowWall, view, local, disk, List.of());
        }

        public Input(HostRecord self, HostState state, Connection connection, long nowMono, long nowWall,
                     PoolView view, SortedMap<String, LocalVm> local) {
            this(self, state, connection, nowMono, nowWall, view, local, DiskView.none());
        }
    }

    /**
     * The state to be in, the actions to take in order, and {@code runUntil}: the monotonic time by which
     * every local VM must be stopped unless a later step says otherwise (what the fence guard enforces).
     */
    public record Plan(HostState next, String reason, List<HostAction> actions, long runUntil, List<String> alarms) {}

    private final Timings timings;
    /**
     * When this host last saw, on a fresh disk, that no other host had ZooKeeper. If that happened after its
     * own last ZooKeeper contact, the pool went through an outage, and others having ZooKeeper now is news:
     * they just reconnected, and this host gets the same chance before fencing.
     */
    private long nobodyConnectedAt = Connection.NEVER;

    public HostLogic(Timings timings) { this.timings = timings; }

    public Plan plan(Input in) {
        Connection c = in.connection();
        DiskView disk = in.disk();
        long now = in.nowMono();
        // Health alarms: the host's own (degraded, evacuating, lost networks) come with the record the agent
        // passes in; the VMs' (reset limits reached) come as an input of their own.
        List<String> alarms = new ArrayList<>(in.self().alarms());
        alarms.addAll(in.healthAlarms());
        // The coordinator lease: LOST means the session is gone (or assumed gone), whatever the last contact.
        long leaseUntil = c.lastContactMillis() + timings.fenceAfterMillis();
        boolean leaseValid = c.everContacted() && c.state() != ConnectionState.LOST && now < leaseUntil;
        // Disk evidence: a recent complete round (own write + every read) on the heartbeat disk.
        long diskUntil = disk.lastGoodRoundMillis() + timings.diskFenceAfterMillis();
        // Only if this host's own slot read back valid in that view: the master judges this host by its slot
        // advancing, so a round whose write landed torn (or never landed) is no evidence that it is alive.
        boolean diskFresh = disk.configured() && disk.lastGoodRoundMillis() != Connection.NEVER && now < diskUntil
                && ownSlotReadBack(disk, in.self());
        if (disk.configured() && (disk.lastGoodRoundMillis() == Connection.NEVER
                || now - disk.lastGoodRoundMillis() >= 3 * timings.diskIntervalMillis())) {
            alarms.add(HostRecord.STORAGE_DEGRADED);
        }

        if (disk.pill().isPresent()) {
            PoisonPill pill = disk.pill().get();
            String why = "poison pill from " + pill.from();
            List<HostAction> actions = stopEverything(in, "self-fence: " + why);
            actions.add(new HostAction.AcknowledgePill(pill));
            return new Plan(HostState.FENCED, why, actions, now, alarms);
        }
        // A CONNECTED claim counts only if fresh: clients keep saying CONNECTED for a while after an outage began.
        boolean othersConnected = diskFresh && disk.othersConnected(in.self().name(), timings.zkClaimFreshMillis());
        if (diskFresh && !othersConnected) nobodyConnectedAt = now;
        if (!leaseValid || !c.connected()) {
            boolean outage = diskFresh && !othersConnected;
            HostState frozen = in.state() == HostState.FENCED ? HostState.FENCED : HostState.FROZEN;
            if (leaseValid) {
                return new Plan(frozen, "coordinator connection suspended", List.of(),
                        outage ? Math.max(leaseUntil, diskUntil) : leaseUntil, alarms);
            }
            if (outage && in.state() != HostState.FENCED) {
                alarms.add(HostRecord.COORDINATOR_OUTAGE);
                return new Plan(HostState.FROZEN, "coordinator outage: no live host on the heartbeat disk has"
                        + " ZooKeeper; keeping every VM running, no HA action", List.of(), diskUntil, alarms);
            }
            // An isolated host saw others connected all along since its last contact: it fences at once.
            if (othersConnected && in.state() != HostState.FENCED && nobodyConnectedAt > c.lastContactMillis()
                    && now - nobodyConnectedAt < timings.reconnectGraceMillis()) {
                // Others just got ZooKeeper back: give this host the same chance before it stops anything.
                return new Plan(HostState.FROZEN, "other hosts reconnected to ZooKeeper; waiting up to "
                        + timings.reconnectGraceMillis() + " ms to reconnect too", List.of(), diskUntil, alarms);
            }
            String why = fenceReason(c, now, disk, diskFresh);
            return new Plan(HostState.FENCED, why, stopEverything(in, "self-fence: " + why), now, alarms);
        }
        return planConnected(in, leaseUntil, alarms);
    }

    /** True when the view holds this host's own slot, valid and written by this incarnation. */
    private static boolean ownSlotReadBack(DiskView disk, HostRecord self) {
        SlotReading own = disk.slots().get(self.name());
        return own != null && own.status() == SlotReading.Status.VALID && own.slot().incarnation() == self.incarnation();
    }

    private String fenceReason(Connection c, long now, DiskView disk, boolean diskFresh) {
        String why = c.state() == ConnectionState.LOST ? "coordinator session lost"
                : !c.everContacted() ? "no coordinator contact yet, so no lease"
                : "no coordinator contact for " + (now - c.lastContactMillis()) + " ms (lease " + timings.fenceAfterMillis() + " ms)";
        if (!disk.configured()) return why;
        return why + (diskFresh ? "; other hosts still have ZooKeeper" : "; no fresh heartbeat-disk evidence either");
    }

    private Plan planConnected(Input in, long leaseUntil, List<String> alarms) {
        HostState next = in.state();
        String reason = "";
        HostRecord published = in.view().members().get(in.self().name());
        if (in.state() == HostState.FENCED || (in.state() == HostState.FROZEN && published == null)) {
            next = HostState.JOINING;
            reason = "coordinator contact restored";
        } else if (in.state() == HostState.FROZEN) {
            next = HostState.ACTIVE;
            reason = "coordinator connection restored";
        } else if (in.state() == HostState.ACTIVE && published == null) {
            next = HostState.JOINING;
            reason = "membership record gone (new coordinator session)";
        }
        List<HostAction> actions = new ArrayList<>();
        // A daemon that just started sees a view that may predate its join (an empty cache, at worst): "no
        // ownership record" there proves nothing, so reconcile only once the view shows this incarnation.
        boolean viewPredatesJoin = in.state() == HostState.JOINING
                && (published == null || published.incarnation() != in.self().incarnation());
        boolean clean = !viewPredatesJoin && reconcileLocal(in, actions);
        // Only a host that was already JOINING becomes ACTIVE: a FENCED host passes through JOINING (one step,
        // published) first, as HostState.TRANSITIONS demands; collapsing both made FENCED => ACTIVE throw.
        if (in.state() == HostState.JOINING && next == HostState.JOINING && clean && published != null
                && published.incarnation() == in.self().incarnation()) {
            next = HostState.ACTIVE;
            reason = "joined the pool; local VMs reconciled";
        }
        HostRecord wanted = in.self().withState(next).withAlarms(alarms).withMigrations(HostMigration.statuses(in));
        if (!wanted.equals(published)) actions.add(0, new HostAction.Publish(wanted));
        if (next == HostState.ACTIVE) {
            HostMigration.plan(in, actions);
            planOwned(in, actions);
        }
        return new Plan(next, reason, actions, leaseUntil, alarms);
    }

    /** What the host's heartbeat slot says about fencing, given its state and what still runs. */
    public static FenceState fenceState(HostState state, SortedMap<String, LocalVm> local) {
        if (state != HostState.FENCED) return FenceState.NONE;
        return local.values().stream().anyMatch(LocalVm::running) ? FenceState.FENCING : FenceState.FENCED;
    }

    private static List<HostAction> stopEverything(Input in, String why) {
        List<HostAction> actions = new ArrayList<>();
        for (LocalVm vm : in.local().values()) {
            actions.add(vm.running() ? new HostAction.Stop(vm.vm(), why) : new HostAction.Acknowledge(vm.vm()));
        }
        // Paused copies cannot run, but a fenced host keeps nothing of a VM it may no longer own.
        for (IncomingVm inc : in.incoming().values()) actions.add(new HostAction.DiscardIncoming(inc.vm(), inc.migrationId(), why));
        return actions;
    }

    /** Stop or report every local instance; returns true when none runs without owning its VM. */
    private static boolean reconcileLocal(Input in, List<HostAction> actions) {
        boolean clean = true;
        String me = in.self().name();
        for (LocalVm inst : in.local().values()) {
            Versioned<Ownership> vo = in.view().owners().get(inst.vm());
            Ownership o = vo == null ? null : vo.value();
            boolean mine = o != null && o.ownedBy(me) && o.epoch() == inst.epoch();
            if (!inst.running()) {
                if (mine && (o.state().runsOnOwner() || o.state() == VmState.STARTING)) {
                    actions.add(new HostAction.Report(o.failed(in.nowWall(),
                            "instance " + inst.instanceId() + " exited: " + inst.exitDetail()), vo.version(), true));
                } else if (mine && o.state() == VmState.STOPPING) {
                    actions.add(new HostAction.Report(o.stopped(), vo.version(), true));
                } else {
                    actions.add(new HostAction.Acknowledge(inst.vm()));
                }
            } else if (!mine) {
                clean = false;
                actions.add(new HostAction.Stop(inst.vm(), o == null ? "no ownership record"
                        : "owner is " + (o.host().isEmpty() ? "nobody" : o.host()) + " at epoch " + o.epoch()
                        + "; this instance holds epoch " + inst.epoch()));
            } else if (o.state() == VmState.STARTING) {
                actions.add(new HostAction.Report(o.running(inst.instanceId(), "running as " + inst.instanceId()),
                        vo.version(), false));
            } else if (o.state() == VmState.RUNNING && !inst.instanceId().equals(o.instance())) {
                // The guest was reset in place: same epoch, a new instance; the record follows.
                actions.add(new HostAction.Report(o.reinstanced(inst.instanceId(), "reset in place: running as "
                        + inst.instanceId()), vo.version(), false));
            } else if (!o.state().runsOnOwner()) {
                if (o.state() != VmState.STOPPING) clean = false;
                actions.add(new HostAction.Stop(inst.vm(), "record says " + o.state()));
            }
        }
        return clean;
    }

    /** Start what this host owns and has no instance of; report records whose instance vanished. */
    private static void planOwned(Input in, List<HostAction> actions) {
        String me = in.self().name();
        for (Map.Entry<String, Versioned<Ownership>> e : in.view().owners().entrySet()) {
            Ownership o = e.getValue().value();
            if (!o.ownedBy(me)) continue;
            LocalVm inst = in.local().get(o.vm());
            if (inst != null && inst.epoch() == o.epoch()) continue; // handled by reconcileLocal
            if (inst != null && inst.running()) continue; // an older epoch: being stopped first
            // A committed live migration: the received copy is activated (HostMigration), not started afresh.
            if (o.migration() != null && in.incoming().containsKey(o.vm())
                    && in.incoming().get(o.vm()).migrationId().equals(o.migration().id())) continue;
            switch (o.state()) {
                case STARTING -> {
                    VmSpec spec = in.view().vms().get(o.vm());
                    if (spec != null) actions.add(new HostAction.Start(spec, o.epoch()));
                }
                case RUNNING, MIGRATING -> actions.add(new HostAction.Report(o.failed(null,
                        "no local instance (lost while the host was fenced or its daemon was down)"),
                        e.getValue().version(), false));
                case STOPPING -> actions.add(new HostAction.Report(o.stopped(),
                        e.getValue().version(), false));
                default -> { }
            }
        }
    }
}
