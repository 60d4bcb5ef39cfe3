package io.vmha.core;

import io.vmha.core.port.Journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pool master's planner: from one snapshot of the pool it decides every ownership change.
 * It keeps no state that matters for safety: a new master re-derives everything from the pool and
 * waits the full grace again for hosts it sees gone, so work in flight is finished, never lost.
 */
public final class MasterLogic {
    /**
     * At most this many VMs are in an orderly move (stopping, stopped, or starting at the target) while an
     * evacuation picks its next VM: an evacuation is a sequence of short outages, never the whole host at once.
     */
    public static final int EVACUATION_CONCURRENCY = 2;
    private final Timings timings;
    private final RestartPolicy policy;
    private final Journal journal;
    /** Monotonic time at which this master first saw each vanished owner host gone. */
    private final SortedMap<String, Long> absentSince = new TreeMap<>();
    /** VMs last reported as unplaceable, so the log says it once rather than every iteration. */
    private final Set<String> unplaceable = new TreeSet<>();
    /** Vanished hosts whose VMs may be restarted elsewhere now (decided by {@link #decideAbsentHosts}). */
    private final Set<String> cleared = new TreeSet<>();
    private final SortedMap<String, Long> lastPill = new TreeMap<>();
    private final SortedMap<String, String> lastNote = new TreeMap<>();
    /** Why a VM that should move stays (no target, HA off), said once per change of reason. */
    private final SortedMap<String, String> moveNotes = new TreeMap<>();
    /** Orderly moves under way in this plan (see {@link #EVACUATION_CONCURRENCY}). */
    private int movesInFlight;
    private final List<MasterAction> pills = new ArrayList<>();
    /** FAILED VMs waiting out a restart backoff: {epoch, monotonic time this master first saw the failure}. */
    private final SortedMap<String, long[]> failedSeen = new TreeMap<>();
    private final String self;
    private final MasterMigration migration;
    /** VMs an operator request already gave an action in this plan. */
    private final Set<String> requested = new TreeSet<>();
    private long nowWall;
    private DiskView disk = DiskView.none();
    private boolean wantsToYield;

    public MasterLogic(Timings timings, RestartPolicy policy, Journal journal) {
        this("master", timings, policy, journal);
    }

    /** @param self this master's host name, the sender of its poison pills */
    public MasterLogic(String self, Timings timings, RestartPolicy policy, Journal journal) {
        this(self, timings, policy, journal, MigrationPolicy.DEFAULT, () -> {
            throw new IllegalStateException("this master has no secret source for migration tokens");
        });
    }

    /**
     * @param migrations the pool's live-migration limits
     * @param secrets    unpredictable one-time tokens for the migration tunnel (a SecureRandom in the daemon)
     */
    public MasterLogic(String self, Timings timings, RestartPolicy policy, Journal journal, MigrationPolicy migrations,
                       java.util.function.Supplier<String> secrets) {
        this.migration = new MasterMigration(migrations, secrets, journal);
        this.self = self;
        this.timings = timings;
        this.policy = policy;
        this.journal = journal;
    }

    /** Forget everything learned in this term (called when mastership is lost). */
    public void reset() {
        absentSince.clear();
        unplaceable.clear();
        cleared.clear();
        lastPill.clear();
        lastNote.clear();
        failedSeen.clear();
        moveNotes.clear();
        migration.reset();
    }

    public List<MasterAction> plan(PoolView view, long nowMono, long nowWall) {
        return plan(view, DiskView.none(), nowMono, nowWall);
    }

    /**
     * Plan with the heartbeat disk's evidence about vanished hosts (DESIGN.md, the master's decision table).
     * Returns poison pills first, then ownership writes.
     */
    public List<MasterAction> plan(PoolView view, DiskView disk, long nowMono, long nowWall) {
        this.disk = disk;
        this.nowWall = nowWall;
        this.pills.clear();
        trackAbsentHosts(view, nowMono);
        decideAbsentHosts(nowMono);
        Placement placement = Placement.of(view);
        movesInFlight = 0;
        for (Versioned<Ownership> o : view.owners().values()) {
            VmState st = o.value().state();
            if (o.value().moving() && (st == VmState.STOPPING || st == VmState.STOPPED || st == VmState.STARTING)) movesInFlight++;
        }
        moveNotes.keySet().retainAll(view.owners().keySet());
        List<MasterAction> actions = new ArrayList<>();
        migration.begin(view);
        planRequests(view, placement, nowMono, actions);
        for (Map.Entry<String, Versioned<Ownership>> e : view.owners().entrySet()) {
            if (requested.contains(e.getKey())) continue;
            planOwned(view, e.getValue(), placement, nowMono, nowWall, actions);
        }
        failedSeen.keySet().removeIf(vm -> !view.owners().containsKey(vm)
                || view.owners().get(vm).value().state() != VmState.FAILED);
        for (VmSpec spec : view.vms().values()) {
            if (!view.owners().containsKey(spec.name())) planNew(spec, placement, actions);
        }
        actions.addAll(0, pills);
        return actions;
    }

    private void trackAbsentHosts(PoolView view, long nowMono) {
        Set<String> gone = new TreeSet<>();
        for (Versioned<Ownership> o : view.owners().values()) {
            String host = o.value().host();
            if (!host.isEmpty() && !view.members().containsKey(host)) gone.add(host);
        }
        absentSince.keySet().retainAll(gone);
        for (String host : gone) {
            if (absentSince.putIfAbsent(host, nowMono) == null) {
                journal.record("master", "host " + host + " is gone; " + (disk.configured()
                        ? "judging it from the heartbeat disk"
                        : "its VMs restart after " + timings.masterGraceMillis() + " ms unless it returns"));
            }
        }
    }

    private boolean inGrace(String host, long nowMono) {
        return absentSince.containsKey(host) && !cleared.contains(host);
    }

    /**
     * For every vanished owner host: may its VMs be restarted elsewhere yet? Without a heartbeat disk the
     * lease alone answers (the host fenced before its session expired; wait the grace). With one:
     * <ul>
     * <li>slot advancing and FENCED: restart;</li>
     * <li>slot advancing and FENCING: wait;</li>
     * <li>slot advancing and not fencing (its daemon believes it still has, or need not lose, its VMs):
     *     poison pill, then wait for FENCED or for the slot to go stale;</li>
     * <li>slot stale past the disk timeout (or never seen, or corrupt that long): its own deadline
     *     ({@link Timings#diskFenceAfterMillis()}) has passed, so restart;</li>
     * <li>slot empty or corrupt (a torn write) for less than the disk timeout: wait;</li>
     * <li>this master cannot read the disk: decide nothing irreversible and yield mastership.</li>
     * </ul>
     */
    private void decideAbsentHosts(long nowMono) {
        cleared.clear();
        wantsToYield = false;
        for (Map.Entry<String, Long> e : absentSince.entrySet()) {
            String host = e.getKey();
            if (nowMono - e.getValue() < timings.masterGraceMillis()) continue;
            if (!disk.configured()) {
                cleared.add(host);
                continue;
            }
            if (disk.lastGoodRoundMillis() == io.vmha.core.port.Connection.NEVER
                    || nowMono - disk.lastGoodRoundMillis() >= timings.diskTimeoutMillis()) {
                wantsToYield = true;
                note(host, "cannot judge: this master cannot read the heartbeat disk; deciding nothing, yielding mastership");
                continue;
            }
            SlotReading r = disk.slots().get(host);
            if (r == null) {
                if (nowMono - e.getValue() >= timings.diskTimeoutMillis()) {
                    clear(host, "no heartbeat slot for " + timings.diskTimeoutMillis() + " ms");
                } else {
                    note(host, "no heartbeat slot seen yet; waiting up to the disk timeout");
                }
            } else if (r.stale()) {
                clear(host, "heartbeat slot stale for " + r.unchangedFor() + " ms: dead, or past its own fence deadline");
            } else if (r.slot() == null) {
                // EMPTY or CORRUPT (a torn write) within the disk timeout: proof of nothing either way.
                note(host, "heartbeat slot " + r.status() + (r.problem().isEmpty() ? "" : " (" + r.problem() + ")")
                        + "; waiting for a valid write or for the disk timeout");
            } else if (r.slot().fence() == FenceState.FENCED) {
                clear(host, "its heartbeat slot says FENCED");
            } else if (r.slot().fence() == FenceState.FENCING) {
                note(host, "fencing itself; waiting for FENCED");
            } else if (!r.slot().zkConnected() && nowMono - e.getValue() < timings.reconnectGraceMillis()) {
                // Alive on the disk and without ZooKeeper: after a pool-wide outage it may simply still be
                // reconnecting (its session expired meanwhile). Nothing of it is restarted while we wait: that
                // needs FENCED or a stale slot. A host that is really cut off fences itself at its lease anyway.
                note(host, "still writes its heartbeat slot without ZooKeeper (" + r.slot().zk() + "); giving it up to "
                        + timings.reconnectGraceMillis() + " ms to reconnect before a poison pill");
            } else {
                note(host, "still writes its heartbeat slot (ZooKeeper " + r.slot().zk() + ") without fencing: poison pill");
                Long last = lastPill.get(host);
                if (last == null || nowMono - last >= timings.diskIntervalMillis()) {
                    lastPill.put(host, nowMono);
                    pills.add(new MasterAction.Poison(new PoisonPill(self, host, r.slot().incarnation(), nowMono),
                            "host " + host + " lost its ZooKeeper session but is not fencing"));
                }
            }
        }
        lastPill.keySet().retainAll(absentSince.keySet());
        lastNote.keySet().retainAll(absentSince.keySet());
    }

    private void clear(String host, String why) {
        cleared.add(host);
        note(host, "restarting its VMs: " + why);
    }

    /** Say why a vanished host's VMs wait or move, once per change of reason. */
    private void note(String host, String why) {
        if (!why.equals(lastNote.put(host, why))) journal.record("master", "host " + host + ": " + why);
    }

    /** Monotonic time this master first saw migration {@code id} in flight, or -1 (not seen by this master). */
    public long migrationSeenAt(String id) { return migration.firstSeen(id); }

    /** True when the last plan found this master unable to judge vanished hosts. */
    public boolean wantsToYield() { return wantsToYield; }

    private void planOwned(PoolView view, Versioned<Ownership> versioned, Placement placement, long nowMono,
                           long nowWall, List<MasterAction> actions) {
        Ownership o = versioned.value();
        int version = versioned.version();
        VmSpec spec = view.vms().get(o.vm());
        boolean hostGone = !o.host().isEmpty() && !view.members().containsKey(o.host());
        if (hostGone && inGrace(o.host(), nowMono)) return; // the old host may still be stopping it

        if (spec == null) {
            planRemoved(o, version, hostGone, actions);
            return;
        }
        if (hostGone) {
            if (o.state() == VmState.STOPPED || o.state() == VmState.ERROR) return;
            if (o.state() == VmState.MIGRATING && migration.commitAfterSourceLost(view, o, version, actions)) return;
            String why = "host " + o.host() + " lost";
            if (spec.haEnabled()) {
                reassign(o, version, spec, placement, Set.of(), o.failures(), why, actions);
            } else {
                actions.add(new MasterAction.WriteOwner(o.reassign("", VmState.STOPPED, o.failures(),
                        why + "; HA disabled for this VM"), version, why));
            }
            return;
        }
        switch (o.state()) {
            case FAILED -> planFailed(o, version, spec, placement, nowMono, nowWall, actions);
            case PENDING -> reassign(o, version, spec, placement, Set.of(), o.failures(), "placement retry", actions);
            case STOPPED -> {
                // The owner stopped it for an orderly move: only now may it start elsewhere, under a new epoch.
                if (o.moving()) reassign(o, version, spec, placement, Set.of(), o.failures(), o.reason().split(";")[0], actions);
            }
            case RUNNING, STARTING -> planMove(view, o, version, spec, placement, actions);
            case MIGRATING -> migration.planMigrating(view, o, version, false, nowMono, actions);
            default -> { } // STOPPING: the owner host acts; STOPPED without a move, ERROR: an operator acts
        }
    }

    /**
     * A VM whose live owner lost one of the VM's networks, or is evacuating, moves in order: the master writes
     * STOPPING (same owner, same epoch), the owner stops it and reports STOPPED, and only then is it assigned
     * elsewhere with a new epoch, so it never runs twice. It moves only if some other host can take it now
     * (that room is reserved for this plan); otherwise it keeps running where it is. The host's other VMs stay.
     */
    private void planMove(PoolView view, Ownership o, int version, VmSpec spec, Placement placement,
                          List<MasterAction> actions) {
        HostRecord owner = view.members().get(o.host());
        if (owner == null) return;
        List<String> missing = spec.networks().stream().filter(n -> !owner.networks().contains(n)).toList();
        String why;
        if (!missing.isEmpty()) {
            why = "host " + o.host() + " lost network" + (missing.size() == 1 ? " " : "s ") + missing;
        } else if (owner.evacuating()) {
            why = "host " + o.host() + " is evacuating (" + String.join(", ", owner.alarms().stream()
                    .filter(a -> a.startsWith(HostRecord.EVACUATING))
                    .map(a -> a.substring(HostRecord.EVACUATING.length())).toList()) + ")";
            if (movesInFlight >= EVACUATION_CONCURRENCY) return; // the next one goes once a move completes
        } else {
            moveNotes.remove(o.vm());
            return;
        }
        if (!spec.haEnabled()) {
            noteMove(o.vm(), why + "; HA disabled for this VM: left where it is");
            return;
        }
        if (o.state() == VmState.RUNNING && owner.migrates()) {
            Placement.Result live = placement.place(spec, notMigrating(view, o.host()));
            if (live.host().isPresent()) {
                moveNotes.remove(o.vm());
                if (!migration.hasRoom(o.host(), live.host().get())) {
                    migration.note(o.vm(), why + "; " + o.host() + " or " + live.host().get() + " is at its migration limit");
                    return;
                }
                migration.clearNote(o.vm());
                actions.add(migration.start(o, version, live.host().get(), MasterMigration.idFor(o, nowWall), 0, 0,
                        why + ": live migration to " + live.host().get() + " (" + live.reason() + ")"));
                return;
            }
        }
        Placement.Result r = placement.place(spec, Set.of(o.host()));
        if (r.host().isEmpty()) {
            noteMove(o.vm(), why + "; no other host can take it (" + r.reason() + "): left running where it is");
            return;
        }
        moveNotes.remove(o.vm());
        movesInFlight++;
        String full = Ownership.MOVE + why + "; stopping it on " + o.host() + " to start it on " + r.host().get();
        actions.add(new MasterAction.WriteOwner(o.withState(VmState.STOPPING, full), version, full));
    }

    /** {@code source} and every member that cannot receive a live migration. */
    private static Set<String> notMigrating(PoolView view, String source) {
        Set<String> out = new TreeSet<>(Set.of(source));
        view.members().values().stream().filter(h -> !h.migrates()).forEach(h -> out.add(h.name()));
        return out;
    }

    /**
     * Operator requests in {@code migrations/}: start the move (target as asked, or chosen by placement among hosts
     * that receive migrations), cancel the one under way, or refuse with the reason. Each request is deleted once
     * acted on; one that must wait (a host at its migration limit, a VM still starting) stays.
     */
    private void planRequests(PoolView view, Placement placement, long nowMono, List<MasterAction> actions) {
        requested.clear();
        for (Versioned<MigrationRequest> vr : view.requests().values()) {
            MigrationRequest r = vr.value();
            Versioned<Ownership> vo = view.owners().get(r.vm());
            Ownership o = vo == null ? null : vo.value();
            boolean sourceLive = o != null && !o.host().isEmpty() && view.members().containsKey(o.host());
            if (r.cancel()) {
                if (o != null && o.state() == VmState.MIGRATING && sourceLive) {
                    requested.add(r.vm());
                    migration.planMigrating(view, o, vo.version(), true, nowMono, actions);
                    actions.add(new MasterAction.DeleteRequest(r.vm(), vr.version(), "cancel of vm " + r.vm() + "'s migration by " + r.by()));
                } else {
                    actions.add(new MasterAction.DeleteRequest(r.vm(), vr.version(), "cancel refused: vm " + r.vm()
                            + " is not migrating (" + (o == null ? "no ownership record" : o.state()) + ")"));
                }
                continue;
            }
            if (o != null && o.state() == VmState.MIGRATING && o.migration().id().equals(r.id())) {
                actions.add(new MasterAction.DeleteRequest(r.vm(), vr.version(), "migration " + r.id() + " under way"));
                continue;
            }
            if (o != null && sourceLive && (o.state() == VmState.STARTING || o.state() == VmState.MIGRATING)) {
                migration.note(r.vm(), "requested migration " + r.id() + " waits: the VM is " + o.state());
                continue;
            }
            String refusal = refusal(view, o, r);
            if (refusal != null) {
                actions.add(new MasterAction.DeleteRequest(r.vm(), vr.version(), "migration " + r.id() + " of vm " + r.vm() + " refused: " + refusal));
                continue;
            }
            VmSpec spec = view.vms().get(r.vm());
            Placement.Result target;
            if (!r.to().isEmpty()) {
                target = placement.placeOn(r.to(), spec) ? new Placement.Result(java.util.Optional.of(r.to()), "asked for")
                        : new Placement.Result(java.util.Optional.empty(), r.to() + " cannot take it (not active, evacuating, no room, other driver or networks; free: "
                        + placement.free().get(r.to()) + ")");
            } else {
                target = placement.place(spec, notMigrating(view, o.host()));
            }
            if (target.host().isEmpty()) {
                actions.add(new MasterAction.DeleteRequest(r.vm(), vr.version(), "migration " + r.id() + " of vm " + r.vm()
                        + " refused: no target: " + target.reason()));
                continue;
            }
            if (!migration.hasRoom(o.host(), target.host().get())) {
                migration.note(r.vm(), "requested migration " + r.id() + ": " + o.host() + " or " + target.host().get()
                        + " is at its migration limit");
                continue;
            }
            requested.add(r.vm());
            actions.add(migration.start(o, vo.version(), target.host().get(), r.id(), r.bandwidthBytesPerSecond(),
                    r.maxDowntimeMillis(), "requested by " + (r.by().isEmpty() ? "an operator" : r.by())
                            + " (target " + target.host().get() + ": " + target.reason() + ")"));
            actions.add(new MasterAction.DeleteRequest(r.vm(), vr.version(), "migration " + r.id() + " started"));
        }
    }

    /** Why a migration request cannot be carried out at all, or null. */
    private static String refusal(PoolView view, Ownership o, MigrationRequest r) {
        if (!view.vms().containsKey(r.vm())) return "no such VM in the registry";
        if (o == null || o.state() != VmState.RUNNING) return "it is not running (" + (o == null ? "no ownership record" : o.state()) + ")";
        HostRecord source = view.members().get(o.host());
        if (source == null) return "its host " + o.host() + " is not in the pool";
        if (!source.migrates()) return "its host " + o.host() + " cannot send live migrations (driver " + source.driver() + ", no tunnel)";
        if (r.to().equals(o.host())) return "it already runs on " + o.host();
        if (!r.to().isEmpty()) {
            HostRecord to = view.members().get(r.to());
            if (to == null) return "target " + r.to() + " is not a pool member (members: " + view.members().keySet() + ")";
            if (!to.migrates()) return "target " + r.to() + " cannot receive live migrations (driver " + to.driver() + ", no tunnel)";
        }
        return null;
    }

    private void noteMove(String vm, String why) {
        if (!why.equals(moveNotes.put(vm, why))) journal.record("master", "vm " + vm + " stays: " + why);
    }

    private void planRemoved(Ownership o, int version, boolean hostGone, List<MasterAction> actions) {
        boolean mayRun = !o.host().isEmpty() && !hostGone;
        if (mayRun && (o.state() == VmState.STARTING || o.state().runsOnOwner())) {
            actions.add(new MasterAction.WriteOwner(o.withState(VmState.STOPPING, "removed from the registry"),
                    version, "removed from the registry"));
        } else if (!(mayRun && o.state() == VmState.STOPPING)) {
            actions.add(new MasterAction.DeleteOwner(o.vm(), version, "removed from the registry, not running"));
        }
    }

    private void planFailed(Ownership o, int version, VmSpec spec, Placement placement, long nowMono, long nowWall,
                            List<MasterAction> actions) {
        if (!spec.haEnabled()) {
            actions.add(new MasterAction.WriteOwner(o.reassign("", VmState.STOPPED, o.failures(),
                    "failed; HA disabled for this VM"), version, "failed; HA disabled"));
            return;
        }
        RestartPolicy policy = spec.health().policy(this.policy); // the VM's own, if it has one
        List<Long> recent = policy.recent(o.failures(), nowWall);
        String count = recent.size() + " crash" + (recent.size() == 1 ? "" : "es") + " in "
                + policy.windowMillis() / 1000 + " s";
        RestartPolicy.Decision decision = policy.decide(recent);
        if (decision == RestartPolicy.Decision.RESTART_IN_PLACE && o.relocationRequested()) {
            decision = RestartPolicy.Decision.RELOCATE; // the owner host stopped it so that it runs elsewhere
        }
        if (decision != RestartPolicy.Decision.GIVE_UP && inBackoff(o, spec.health().backoffMillis(recent.size()), nowMono, count)) {
            return;
        }
        switch (decision) {
            case RESTART_IN_PLACE -> {
                if (placement.placeOn(o.host(), spec)) {
                    String why = "restart in place on " + o.host() + " (" + count + ", limit " + policy.maxRestarts() + ")";
                    actions.add(new MasterAction.WriteOwner(o.reassign(o.host(), VmState.STARTING, recent, why), version, why));
                } else {
                    reassign(o, version, spec, placement, Set.of(o.host()), recent,
                            "relocate: " + o.host() + " cannot take it back (" + count + ")", actions);
                }
            }
            case RELOCATE -> reassign(o, version, spec, placement, Set.of(o.host()), recent,
                    (o.relocationRequested() ? "relocation requested by " + o.host() + " (" + count + ")"
                            : "relocate after " + count), actions);
            case GIVE_UP -> {
                String why = "restart policy gave up after " + count + "; needs an operator";
                actions.add(new MasterAction.WriteOwner(o.withState(VmState.ERROR, why), version, why));
            }
        }
    }

    /**
     * True while a crash-looping VM waits out its backoff before the next retry. The wait runs on this master's
     * monotonic clock from when it first saw the failure (a new master waits afresh: later, never earlier);
     * the first crash has no backoff, so a single crash is restarted at once.
     */
    private boolean inBackoff(Ownership o, long waitMillis, long nowMono, String count) {
        if (waitMillis <= 0) return false;
        long[] seen = failedSeen.get(o.vm());
        if (seen == null || seen[0] != o.epoch()) {
            seen = new long[] {o.epoch(), nowMono};
            failedSeen.put(o.vm(), seen);
            journal.record("master", "vm " + o.vm() + " restart backoff: retry in " + waitMillis + " ms (" + count + ")");
        }
        return nowMono - seen[1] < waitMillis;
    }

    /** Move the VM to the best host outside {@code exclude} (or to PENDING if none fits). */
    private void reassign(Ownership o, int version, VmSpec spec, Placement placement, Set<String> exclude,
                          List<Long> failures, String why, List<MasterAction> actions) {
        Placement.Result r = placement.place(spec, exclude);
        if (r.host().isEmpty() && !exclude.isEmpty()) r = placement.place(spec, Set.of()); // better than nowhere
        if (r.host().isPresent()) {
            unplaceable.remove(o.vm());
            String full = why + ": start on " + r.host().get() + " (" + r.reason() + ")";
            actions.add(new MasterAction.WriteOwner(o.reassign(r.host().get(), VmState.STARTING, failures, full),
                    version, full));
        } else {
            noteUnplaceable(o.vm(), r.reason());
            if (o.state() != VmState.PENDING) {
                String full = why + ": waiting for " + r.waitingFor() + " (" + r.reason() + ")";
                actions.add(new MasterAction.WriteOwner(o.reassign("", VmState.PENDING, failures, full), version, full));
            }
        }
    }

    private void planNew(VmSpec spec, Placement placement, List<MasterAction> actions) {
        Placement.Result r = placement.place(spec, Set.of());
        if (r.host().isPresent()) {
            unplaceable.remove(spec.name());
            String why = "new VM: start on " + r.host().get() + " (" + r.reason() + ")";
            actions.add(new MasterAction.WriteOwner(Ownership.first(spec.name(), r.host().get(), why), Versioned.ABSENT, why));
        } else {
            noteUnplaceable(spec.name(), r.reason());
            String why = "new VM: waiting for " + r.waitingFor() + " (" + r.reason() + ")";
            actions.add(new MasterAction.WriteOwner(new Ownership(spec.name(), "", VmState.PENDING, 0, List.of(), "", why),
                    Versioned.ABSENT, why));
        }
    }

    private void noteUnplaceable(String vm, String reason) {
        if (unplaceable.add(vm)) journal.record("master", "vm " + vm + " cannot be placed: " + reason);
    }
}
