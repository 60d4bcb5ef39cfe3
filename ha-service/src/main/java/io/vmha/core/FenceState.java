package io.vmha.core;

/** What a host says in its heartbeat slot about fencing itself. */
public enum FenceState implements Described {
    NONE("running normally"),
    FENCING("cut off from the coordinator: stopping every local VM"),
    FENCED("every local VM is stopped; safe to restart them elsewhere");

    private final String description;

    FenceState(String description) { this.description = description; }

    @Override public String description() { return description; }
}
