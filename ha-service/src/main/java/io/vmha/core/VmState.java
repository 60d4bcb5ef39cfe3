package io.vmha.core;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The state of a VM's ownership record ({@code owners/<vm>}). Only the transitions listed in
 * {@link #next()} are legal; {@link Ownership#moveTo} enforces them.
 */
public enum VmState implements Described {
    PENDING("waiting for a host with room; placement is retried"),
    STARTING("assigned to the owner host, which starts it if it holds the current epoch"),
    RUNNING("running on the owner host"),
    FAILED("exited unexpectedly or was lost with its host; the master decides what next"),
    MIGRATING("running on the owner host while a paused copy on the migration target receives its state; the epoch moves to the target only when the move commits"),
    STOPPING("being stopped on purpose by the owner host"),
    STOPPED("not running, on purpose; vmha leaves it alone"),
    ERROR("the restart policy gave up; needs an operator");

    private static final Map<VmState, Set<VmState>> NEXT = Map.of(
            PENDING, EnumSet.of(STARTING, STOPPED, PENDING),
            STARTING, EnumSet.of(RUNNING, FAILED, STOPPING, STARTING, PENDING, STOPPED),
            RUNNING, EnumSet.of(FAILED, STOPPING, STARTING, PENDING, STOPPED, MIGRATING),
            // Abort (RUNNING, same owner and epoch) or commit (STARTING on the target, next epoch).
            MIGRATING, EnumSet.of(RUNNING, STARTING, FAILED, STOPPING, PENDING, STOPPED),
            FAILED, EnumSet.of(STARTING, PENDING, STOPPED, ERROR),
            STOPPING, EnumSet.of(STOPPED, FAILED, STOPPING),
            STOPPED, EnumSet.of(STARTING, PENDING, STOPPED),
            ERROR, EnumSet.of(STARTING, PENDING, STOPPED));

    private final String description;

    VmState(String description) { this.description = description; }

    @Override public String description() { return description; }

    public Set<VmState> next() { return NEXT.get(this); }

    /** States in which an instance may be running on the owner and so holds the owner's capacity. */
    public boolean holdsCapacity() { return this == STARTING || this == RUNNING || this == STOPPING || this == MIGRATING; }

    /** States in which the owner's instance keeps running as it is. */
    public boolean runsOnOwner() { return this == RUNNING || this == MIGRATING; }
}
