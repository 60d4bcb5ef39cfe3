package io.vmha.core;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** Whether this host is the pool master, the single planner of restarts and placements. */
public enum MasterState implements Described {
    STANDBY("not the pool master: follows the master's decisions"),
    LEADING("pool master: places VMs and restarts those of failed VMs and hosts");

    public static final Map<MasterState, Set<MasterState>> TRANSITIONS = Map.of(
            STANDBY, EnumSet.of(LEADING),
            LEADING, EnumSet.of(STANDBY));

    private final String description;

    MasterState(String description) { this.description = description; }

    @Override public String description() { return description; }
}
