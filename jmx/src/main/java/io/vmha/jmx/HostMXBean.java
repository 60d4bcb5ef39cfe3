package io.vmha.jmx;

/**
 * {@code vmha:type=Host,name=<host>}: one live member of the pool, from its membership record in ZooKeeper
 * and, for the heartbeat, from the shared disk as this daemon reads it. A host that leaves (or whose session
 * expires) loses its bean.
 */
public interface HostMXBean {
    String getName();

    /** JOINING, ACTIVE, FROZEN, FENCED or LEAVING (see {@code vmha status}). */
    String getState();

    /** The hypervisor driver it runs: sim, qemu or libvirt. Only VMs of that driver are placed on it. */
    String getDriver();

    /** Memory it offers to HA VMs, MiB. */
    long getMemoryMib();

    /** Memory held by the VMs it owns (starting, running or stopping), MiB. */
    long getUsedMemoryMib();

    /** Virtual CPUs it offers to HA VMs. */
    int getVcpus();

    /** VMs it owns (starting, running or stopping). */
    int getVmCount();

    /** Logical networks it provides now (its NICs for them are up). */
    String[] getNetworks();

    /** Its alarms: storage-degraded, coordinator-outage, network-lost: ..., degraded: ..., evacuating: ... */
    String[] getAlarms();

    /** Start time of its daemon (Unix ms): a new value means the daemon restarted. */
    long getIncarnation();

    /** True if this host is the pool master. */
    boolean isMaster();

    /**
     * Milliseconds its heartbeat slot has not advanced, as read by this daemon on its own clock; -1 when there
     * is no heartbeat disk or no slot of it. Above the disk timeout (5 s by default) the slot is stale.
     */
    long getHeartbeatAgeMillis();
}
