package io.vmha.core;

/** The life of one host's daemon, as it publishes it in {@code hosts/<host>}. */
public enum HostState implements Described {
    JOINING("connected to the coordinator, reconciling local VMs before taking work"),
    ACTIVE("member of the pool: runs VMs and can receive restarts"),
    FROZEN("coordinator connection suspended: VMs keep running, nothing is started or moved"),
    FENCED("cut off past the fence timeout: every local VM was stopped so none can run twice"),
    LEAVING("shutting down: takes no new work");

    private final String description;

    HostState(String description) { this.description = description; }

    @Override public String description() { return description; }
}
