package io.vmha.core;

import java.util.List;

/**
 * The record in {@code owners/<vm>}: which host may run the VM, in which state, under which epoch.
 * The epoch is the fencing token: it grows on every change of owner (and on every restart), and a
 * host starts a VM only for the epoch currently recorded here. Records are immutable; the
 * {@code with*} methods return the next record and refuse transitions {@link VmState} does not allow.
 *
 * @param host     the owner host, or "" when the VM has no owner (PENDING, STOPPED elsewhere)
 * @param failures wall-clock times (ms) of recent crashes, for the restart policy's window
 * @param instance id of the running instance as reported by the owner, "" when none
 */
public record Ownership(String vm, String host, VmState state, long epoch, List<Long> failures,
                        String instance, String reason) {
    /**
     * Reason prefix of an orderly move (a lost network, an evacuation): the master writes STOPPING with it, the
     * owner stops the instance and reports STOPPED keeping it, and only then does the master start the VM
     * elsewhere under a new epoch. Without the prefix, STOPPED means "leave it alone".
     */
    public static final String MOVE = "move: ";

    public Ownership {
        Names.check("owner.vm", vm);
        if (host == null) host = "";
        if (!host.isEmpty()) Names.check("owner.host", host);
        if (state == null) throw new InvalidInputException("owner.state", null, "one of " + List.of(VmState.values()));
        if (epoch < 0) throw new InvalidInputException("owner.epoch", epoch, "a number >= 0");
        failures = failures == null ? List.of() : List.copyOf(failures);
        instance = instance == null ? "" : instance;
        reason = reason == null ? "" : reason;
    }

    /** The first record of a VM: placed on {@code host} under epoch 1. */
    public static Ownership first(String vm, String host, String reason) {
        return new Ownership(vm, host, VmState.STARTING, 1, List.of(), "", reason);
    }

    public boolean ownedBy(String h) { return host.equals(h); }

    /**
     * Reason prefix of a FAILED record written by an owner host that stopped the VM on purpose so it runs
     * elsewhere (a failing probe whose action is relocate): the master relocates instead of restarting in place.
     */
    public static final String RELOCATION_REQUESTED = "relocation requested: ";

    /** True when the owner host asked for this VM to be restarted on another host. */
    public boolean relocationRequested() { return state == VmState.FAILED && reason.startsWith(RELOCATION_REQUESTED); }

    /** Same owner, state and epoch, a new instance: the guest was reset in place. */
    public Ownership reinstanced(String instanceId, String why) {
        if (state != VmState.RUNNING) throw new IllegalStateException("vm " + vm + ": a reset instance needs a RUNNING record, not " + state);
        return new Ownership(vm, host, VmState.RUNNING, epoch, failures, instanceId, why);
    }

    /** Same owner, new state. Used by the owner host for its own transitions. */
    public Ownership withState(VmState next, String why) {
        checkTransition(next, why);
        return new Ownership(vm, host, next, epoch, failures, next == VmState.RUNNING ? instance : "", why);
    }

    /** The owner stopped the instance on purpose; an orderly move keeps its reason so the master carries it on. */
    public Ownership stopped() {
        return withState(VmState.STOPPED, moving() ? reason : "stopped");
    }

    /** True while this record is part of an orderly move (see {@link #MOVE}). */
    public boolean moving() { return reason.startsWith(MOVE); }

    /** Same owner, now running {@code instanceId}. */
    public Ownership running(String instanceId, String why) {
        checkTransition(VmState.RUNNING, why);
        return new Ownership(vm, host, VmState.RUNNING, epoch, failures, instanceId, why);
    }

    /** The instance failed: {@code crashAtWall} (nullable) is added to the crash history when the VM itself crashed. */
    public Ownership failed(Long crashAtWall, String why) {
        checkTransition(VmState.FAILED, why);
        List<Long> next = failures;
        if (crashAtWall != null) {
            next = new java.util.ArrayList<>(failures);
            next.add(crashAtWall);
        }
        return new Ownership(vm, host, VmState.FAILED, epoch, next, "", why);
    }

    /** An ownership change (new host, a restart in place, or no owner): always bumps the epoch. */
    public Ownership reassign(String newHost, VmState next, List<Long> newFailures, String why) {
        checkTransition(next, why);
        return new Ownership(vm, newHost, next, epoch + 1, newFailures, "", why);
    }

    private void checkTransition(VmState next, String why) {
        if (!state.next().contains(next)) {
            throw new IllegalStateException("vm " + vm + ": illegal state change " + state + " => " + next
                    + " (" + why + "); allowed from " + state + ": " + state.next());
        }
    }
}
