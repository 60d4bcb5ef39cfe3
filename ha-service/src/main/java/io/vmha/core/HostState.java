package io.vmha.core;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The life of one host's daemon, as it publishes it in {@code hosts/<host>}. */
public enum HostState implements Described {
    JOINING("connected to the coordinator, reconciling local VMs before taking work"),
    ACTIVE("member of the pool: runs VMs and can receive restarts"),
    FROZEN("coordinator connection suspended: VMs keep running, nothing is started or moved"),
    FENCED("cut off past the fence timeout: every local VM was stopped so none can run twice"),
    LEAVING("shutting down: takes no new work");

    /** Legal changes: a fenced host must rejoin (reconcile) before it is active again. */
    public static final Map<HostState, Set<HostState>> TRANSITIONS = Map.of(
            JOINING, EnumSet.of(ACTIVE, FROZEN, FENCED, LEAVING),
            ACTIVE, EnumSet.of(FROZEN, FENCED, JOINING, LEAVING),
            FROZEN, EnumSet.of(ACTIVE, JOINING, FENCED, LEAVING),
            FENCED, EnumSet.of(JOINING, LEAVING),
            LEAVING, EnumSet.noneOf(HostState.class));

    private final String description;

    HostState(String description) { this.description = description; }

    @Override public String description() { return description; }
}
