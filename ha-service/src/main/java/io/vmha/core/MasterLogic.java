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
    private final Timings timings;
    private final RestartPolicy policy;
    private final Journal journal;
    /** Monotonic time at which this master first saw each vanished owner host gone. */
    private final SortedMap<String, Long> absentSince = new TreeMap<>();
    /** VMs last reported as unplaceable, so the log says it once rather than every iteration. */
    private final Set<String> unplaceable = new TreeSet<>();

    public MasterLogic(Timings timings, RestartPolicy policy, Journal journal) {
        this.timings = timings;
        this.policy = policy;
        this.journal = journal;
    }

    /** Forget everything learned in this term (called when mastership is lost). */
    public void reset() {
        absentSince.clear();
        unplaceable.clear();
    }

    public List<MasterAction> plan(PoolView view, long nowMono, long nowWall) {
        trackAbsentHosts(view, nowMono);
        Placement placement = Placement.of(view);
        List<MasterAction> actions = new ArrayList<>();
        for (Map.Entry<String, Versioned<Ownership>> e : view.owners().entrySet()) {
            planOwned(view, e.getValue(), placement, nowMono, nowWall, actions);
        }
        for (VmSpec spec : view.vms().values()) {
            if (!view.owners().containsKey(spec.name())) planNew(spec, placement, actions);
        }
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
                journal.record("master", "host " + host + " is gone; its VMs restart after "
                        + timings.masterGraceMillis() + " ms unless it returns");
            }
        }
    }

    private boolean inGrace(String host, long nowMono) {
        Long since = absentSince.get(host);
        return since != null && nowMono - since < timings.masterGraceMillis();
    }

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
            case FAILED -> planFailed(o, version, spec, placement, nowWall, actions);
            case PENDING -> reassign(o, version, spec, placement, Set.of(), o.failures(), "placement retry", actions);
            default -> { } // STARTING, RUNNING, STOPPING: the owner host acts; STOPPED, ERROR: an operator acts
        }
    }

    private void planRemoved(Ownership o, int version, boolean hostGone, List<MasterAction> actions) {
        boolean mayRun = !o.host().isEmpty() && !hostGone;
        if (mayRun && (o.state() == VmState.STARTING || o.state() == VmState.RUNNING)) {
            actions.add(new MasterAction.WriteOwner(o.withState(VmState.STOPPING, "removed from the registry"),
                    version, "removed from the registry"));
        } else if (!(mayRun && o.state() == VmState.STOPPING)) {
            actions.add(new MasterAction.DeleteOwner(o.vm(), version, "removed from the registry, not running"));
        }
    }

    private void planFailed(Ownership o, int version, VmSpec spec, Placement placement, long nowWall,
                            List<MasterAction> actions) {
        if (!spec.haEnabled()) {
            actions.add(new MasterAction.WriteOwner(o.reassign("", VmState.STOPPED, o.failures(),
                    "failed; HA disabled for this VM"), version, "failed; HA disabled"));
            return;
        }
        List<Long> recent = policy.recent(o.failures(), nowWall);
        String count = recent.size() + " crash" + (recent.size() == 1 ? "" : "es") + " in "
                + policy.windowMillis() / 1000 + " s";
        switch (policy.decide(recent)) {
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
                    "relocate after " + count, actions);
            case GIVE_UP -> {
                String why = "restart policy gave up after " + count + "; needs an operator";
                actions.add(new MasterAction.WriteOwner(o.withState(VmState.ERROR, why), version, why));
            }
        }
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
                String full = why + ": waiting for room (" + r.reason() + ")";
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
            String why = "new VM: waiting for room (" + r.reason() + ")";
            actions.add(new MasterAction.WriteOwner(new Ownership(spec.name(), "", VmState.PENDING, 0, List.of(), "", why),
                    Versioned.ABSENT, why));
        }
    }

    private void noteUnplaceable(String vm, String reason) {
        if (unplaceable.add(vm)) journal.record("master", "vm " + vm + " cannot be placed: " + reason);
    }
}
