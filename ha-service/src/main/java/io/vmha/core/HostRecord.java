package io.vmha.core;

import java.util.List;

/**
 * What a host publishes in its ephemeral {@code hosts/<host>} node.
 *
 * @param incarnation distinguishes daemon restarts of the same host (start time of the daemon, ms)
 * @param alarms      conditions an operator should see that do not stop the host, e.g. {@value #STORAGE_DEGRADED}
 * @param driver      the hypervisor driver this host runs (one per host); only VMs of that driver are placed
 *                    here. Records written before drivers existed read as {@value #DEFAULT_DRIVER}.
 */
public record HostRecord(String name, HostCapacity capacity, long incarnation, HostState state, List<String> alarms,
                         String driver) {
    /** The heartbeat disk is failing while the coordinator is healthy: nobody is fenced for it. */
    public static final String STORAGE_DEGRADED = "storage-degraded";
    /** The coordinator is down for the whole pool: VMs keep running, no HA action is taken. */
    public static final String COORDINATOR_OUTAGE = "coordinator-outage";

    public static final String DEFAULT_DRIVER = "sim";

    public HostRecord(String name, HostCapacity capacity, long incarnation, HostState state) {
        this(name, capacity, incarnation, state, List.of(), DEFAULT_DRIVER);
    }

    public HostRecord(String name, HostCapacity capacity, long incarnation, HostState state, List<String> alarms) {
        this(name, capacity, incarnation, state, alarms, DEFAULT_DRIVER);
    }

    public HostRecord {
        if (driver == null) driver = DEFAULT_DRIVER;
        if (!VmSpec.DRIVERS.contains(driver)) throw new InvalidInputException("host.driver", driver, "one of " + VmSpec.DRIVERS);
        alarms = alarms == null ? List.of() : List.copyOf(new java.util.TreeSet<>(alarms));
        Names.check("host.name", name);
        if (capacity == null) throw new InvalidInputException("host.capacity", null, "memory-mib and vcpus");
        if (state == null) state = HostState.JOINING;
    }

    public HostRecord withState(HostState next) { return new HostRecord(name, capacity, incarnation, next, alarms, driver); }

    public HostRecord withAlarms(List<String> next) { return new HostRecord(name, capacity, incarnation, state, next, driver); }

    public HostRecord withDriver(String next) { return new HostRecord(name, capacity, incarnation, state, alarms, next); }

    /** Only active hosts receive VMs. */
    public boolean acceptsVms() { return state == HostState.ACTIVE; }
}
