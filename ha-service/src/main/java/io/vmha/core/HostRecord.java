package io.vmha.core;

import java.util.List;

/**
 * What a host publishes in its ephemeral {@code hosts/<host>} node.
 *
 * @param incarnation distinguishes daemon restarts of the same host (start time of the daemon, ms)
 * @param alarms      conditions an operator should see that do not stop the host, e.g. {@value #STORAGE_DEGRADED}
 */
public record HostRecord(String name, HostCapacity capacity, long incarnation, HostState state, List<String> alarms) {
    /** The heartbeat disk is failing while the coordinator is healthy: nobody is fenced for it. */
    public static final String STORAGE_DEGRADED = "storage-degraded";
    /** The coordinator is down for the whole pool: VMs keep running, no HA action is taken. */
    public static final String COORDINATOR_OUTAGE = "coordinator-outage";

    public HostRecord(String name, HostCapacity capacity, long incarnation, HostState state) {
        this(name, capacity, incarnation, state, List.of());
    }

    public HostRecord {
        alarms = alarms == null ? List.of() : List.copyOf(new java.util.TreeSet<>(alarms));
        Names.check("host.name", name);
        if (capacity == null) throw new InvalidInputException("host.capacity", null, "memory-mib and vcpus");
        if (state == null) state = HostState.JOINING;
    }

    public HostRecord withState(HostState next) { return new HostRecord(name, capacity, incarnation, next, alarms); }

    public HostRecord withAlarms(List<String> next) { return new HostRecord(name, capacity, incarnation, state, next); }

    /** Only active hosts receive VMs. */
    public boolean acceptsVms() { return state == HostState.ACTIVE; }
}
