package io.vmha.core;

import java.util.List;

/**
 * What a host publishes in its ephemeral {@code hosts/<host>} node.
 *
 * @param incarnation distinguishes daemon restarts of the same host (start time of the daemon, ms)
 * @param alarms      conditions an operator should see that do not stop the host, e.g. {@value #STORAGE_DEGRADED};
 *                    host-health alarms start with {@value #NETWORK_LOST}, {@value #DEGRADED} or {@value #EVACUATING}
 * @param networks    the logical networks this host provides now: those its NICs carry minus those of NICs that are
 *                    down; a VM is placed only on a host providing all of its {@link VmSpec#networks()}
 * @param driver      the hypervisor driver this host runs (one per host); only VMs of that driver are placed
 *                    here. Records written before drivers existed read as {@value #DEFAULT_DRIVER}.
 * @param tunnel      where this host's migration tunnel listens ("address:port") and on which TLS engine
 *                    ("address:port openssl"); "" when it cannot receive live migrations
 * @param migrations  the live migrations this host takes part in now, as source or target
 */
public record HostRecord(String name, HostCapacity capacity, long incarnation, HostState state, List<String> alarms,
                         List<String> networks, String driver, String tunnel, List<MigrationStatus> migrations) {
    /** The heartbeat disk is failing while the coordinator is healthy: nobody is fenced for it. */
    public static final String STORAGE_DEGRADED = "storage-degraded";
    /** The coordinator is down for the whole pool: VMs keep running, no HA action is taken. */
    public static final String COORDINATOR_OUTAGE = "coordinator-outage";
    /** Prefix of a NIC-down alarm whose only effect is the loss of the NIC's networks. */
    public static final String NETWORK_LOST = "network-lost: ";
    /** Prefix of a health alarm that marks the host degraded: new VMs go elsewhere when they can. */
    public static final String DEGRADED = "degraded: ";
    /** Prefix of a health alarm that asks the master to move every VM off this host. */
    public static final String EVACUATING = "evacuating: ";

    public static final String DEFAULT_DRIVER = "sim";

    public HostRecord(String name, HostCapacity capacity, long incarnation, HostState state) {
        this(name, capacity, incarnation, state, List.of(), List.of(), DEFAULT_DRIVER);
    }

    public HostRecord(String name, HostCapacity capacity, long incarnation, HostState state, List<String> alarms) {
        this(name, capacity, incarnation, state, alarms, List.of(), DEFAULT_DRIVER);
    }

    public HostRecord(String name, HostCapacity capacity, long incarnation, HostState state, List<String> alarms,
                      List<String> networks) {
        this(name, capacity, incarnation, state, alarms, networks, DEFAULT_DRIVER);
    }

    public HostRecord(String name, HostCapacity capacity, long incarnation, HostState state, List<String> alarms,
                      List<String> networks, String driver) {
        this(name, capacity, incarnation, state, alarms, networks, driver, "", List.of());
    }

    public HostRecord {
        if (driver == null) driver = DEFAULT_DRIVER;
        tunnel = tunnel == null ? "" : tunnel.strip();
        migrations = migrations == null ? List.of() : List.copyOf(migrations);
        if (!VmSpec.DRIVERS.contains(driver)) throw new InvalidInputException("host.driver", driver, "one of " + VmSpec.DRIVERS);
        alarms = alarms == null ? List.of() : List.copyOf(new java.util.TreeSet<>(alarms));
        Names.check("host.name", name);
        if (capacity == null) throw new InvalidInputException("host.capacity", null, "memory-mib and vcpus");
        if (state == null) state = HostState.JOINING;
        networks = HealthPolicy.sortedNames("host.networks", networks);
    }

    public HostRecord withState(HostState next) { return new HostRecord(name, capacity, incarnation, next, alarms, networks, driver, tunnel, migrations); }

    public HostRecord withAlarms(List<String> next) { return new HostRecord(name, capacity, incarnation, state, next, networks, driver, tunnel, migrations); }

    public HostRecord withNetworks(List<String> next) { return new HostRecord(name, capacity, incarnation, state, alarms, next, driver, tunnel, migrations); }

    public HostRecord withDriver(String next) { return new HostRecord(name, capacity, incarnation, state, alarms, networks, next, tunnel, migrations); }

    public HostRecord withTunnel(String next) { return new HostRecord(name, capacity, incarnation, state, alarms, networks, driver, next, migrations); }

    public HostRecord withMigrations(List<MigrationStatus> next) { return new HostRecord(name, capacity, incarnation, state, alarms, networks, driver, tunnel, next); }

    /** True when this host can take part in a live migration: a driver that migrates and a tunnel that listens. */
    public boolean migrates() { return !tunnel.isEmpty(); }

    /** The tunnel's "address:port", "" when none. */
    public String tunnelAddress() { int sp = tunnel.indexOf(' '); return sp < 0 ? tunnel : tunnel.substring(0, sp); }

    /** This host's status of migration {@code id} of {@code vm} in {@code role}, if it publishes one. */
    public java.util.Optional<MigrationStatus> migration(String vm, String id, String role) {
        return migrations.stream().filter(m -> m.vm().equals(vm) && m.id().equals(id) && m.role().equals(role)).findFirst();
    }

    /** Only active hosts receive VMs. */
    public boolean acceptsVms() { return state == HostState.ACTIVE; }

    /** A health monitor marked this host degraded. */
    public boolean degraded() { return alarms.stream().anyMatch(a -> a.startsWith(DEGRADED)); }

    /** A health monitor asked for this host to be emptied. */
    public boolean evacuating() { return alarms.stream().anyMatch(a -> a.startsWith(EVACUATING)); }

    /** True when this host provides every network in {@code needed}. */
    public boolean provides(List<String> needed) { return networks.containsAll(needed); }
}
