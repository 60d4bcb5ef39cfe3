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
 * @param migration the live migration under way (MIGRATING) or just committed (the STARTING record on the target),
 *                  null otherwise
 */
public record Ownership(String vm, String host, VmState state, long epoch, List<Long> failures,
                        String instance, String reason, MigrationPlan migration) {
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
        if (state == VmState.MIGRATING && migration == null) {
            throw new InvalidInputException("owner.migration", null, "a migration plan while the state is MIGRATING");
        }
        if (migration != null && state != VmState.MIGRATING && state != VmState.STARTING && state != VmState.RUNNING) {
            migration = null; // only the move in flight, or the one that just landed, is worth keeping
        }
    }

    public Ownership(String vm, String host, VmState state, long epoch, List<Long> failures, String instance, String reason) {
        this(vm, host, state, epoch, failures, instance, reason, null);
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
        return new Ownership(vm, host, VmState.RUNNING, epoch, failures, instanceId, why, migration);
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
        return new Ownership(vm, host, VmState.RUNNING, epoch, failures, instanceId, why, migration);
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

    /** Start a live migration of this RUNNING VM: same owner, epoch and instance until the move commits. */
    public Ownership migrating(MigrationPlan plan) {
        if (state != VmState.RUNNING) throw new IllegalStateException("vm " + vm + ": only a RUNNING VM migrates, not " + state);
        if (plan.target().equals(host)) throw new IllegalStateException("vm " + vm + ": migration target " + host + " is the owner");
        return new Ownership(vm, host, VmState.MIGRATING, epoch, failures, instance, "migrating to " + plan.target()
                + " (" + plan.id() + (plan.why().isEmpty() ? "" : ": " + plan.why()) + ")", plan);
    }

    /** The migration did not happen: the VM runs on where it was, same epoch, same instance. */
    public Ownership migrationAborted(String why) {
        if (state != VmState.MIGRATING) throw new IllegalStateException("vm " + vm + ": no migration to abort in " + state);
        return new Ownership(vm, host, VmState.RUNNING, epoch, failures, instance,
                "migration " + migration.id() + " to " + migration.target() + " aborted: " + why, null);
    }

    /**
     * The move commits: the target owns the VM under the next epoch and runs the copy it received (STARTING until
     * it reports RUNNING). The source's copy, paused at the old epoch, is stopped by its host.
     */
    public Ownership migrationCommitted(String why) {
        if (state != VmState.MIGRATING) throw new IllegalStateException("vm " + vm + ": no migration to commit in " + state);
        return new Ownership(vm, migration.target(), VmState.STARTING, epoch + 1, failures, "",
                "migration " + migration.id() + " from " + host + " committed: " + why, migration);
    }

    /** True when this STARTING record commits {@code migrationId}: the target runs its received copy. */
    public boolean commits(String migrationId) {
        return state == VmState.STARTING && migration != null && migration.id().equals(migrationId);
    }

    private void checkTransition(VmState next, String why) {
        if (!state.next().contains(next)) {
            throw new IllegalStateException("vm " + vm + ": illegal state change " + state + " => " + next
                    + " (" + why + "); allowed from " + state + ": " + state.next());
        }
    }
}
