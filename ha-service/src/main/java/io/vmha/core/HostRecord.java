package io.vmha.core;

/**
 * What a host publishes in its ephemeral {@code hosts/<host>} node.
 *
 * @param incarnation distinguishes daemon restarts of the same host (start time of the daemon, ms)
 */
public record HostRecord(String name, HostCapacity capacity, long incarnation, HostState state) {
    public HostRecord {
        Names.check("host.name", name);
        if (capacity == null) throw new InvalidInputException("host.capacity", null, "memory-mib and vcpus");
        if (state == null) state = HostState.JOINING;
    }

    public HostRecord withState(HostState next) { return new HostRecord(name, capacity, incarnation, next); }

    /** Only active hosts receive VMs. */
    public boolean acceptsVms() { return state == HostState.ACTIVE; }
}
