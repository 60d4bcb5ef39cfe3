package io.vmha.jmx;

import java.util.Map;

/**
 * {@code vmha:type=Pool}: the pool as this daemon sees it, and the operations an operator runs on its VMs.
 * Every daemon of the pool registers one; they agree up to ZooKeeper's propagation delay (milliseconds), except
 * for the attributes about "this host" ({@link #getThisHost()} and what follows it).
 *
 * <p>The same information as {@code vmha status}: hosts with their state and alarms, the master, and every
 * VM with its owner, state and epoch (one {@link VmMXBean} each). This bean also sends the HA notifications
 * listed in {@link VmhaNotifications}.
 *
 * <p>Operations change the pool's desired state in ZooKeeper, exactly like the CLI; the pool master then acts.
 * They are refused (an exception naming the VM and what is accepted) for a VM that is not registered.
 */
public interface PoolMXBean {
    /** The pool's name: also its ZooKeeper chroot {@code /vmha/<pool>}. */
    String getName();

    /** The host that holds pool mastership now, or "" while none does (an election is under way). */
    String getMaster();

    /** The one-line summary {@code vmha status} prints: hosts active, master, VMs by state. */
    String getSummary();

    /** Live members (hosts whose daemon holds a ZooKeeper session), sorted by name. */
    String[] getHosts();

    /** Members in state ACTIVE: those that run VMs and receive restarts. */
    int getActiveHostCount();

    /** Registered VMs, sorted by name (each has a {@code vmha:type=Vm,name=<vm>} bean). */
    String[] getVms();

    /** Registered VMs per ownership state (PENDING, STARTING, RUNNING, FAILED, STOPPING, STOPPED, ERROR; NEW = not yet placed). */
    Map<String, Integer> getVmsByState();

    /** VMs with HA enabled: restarted after a crash or a host failure. */
    int getProtectedVmCount();

    /**
     * How many simultaneous host failures the pool can absorb now: the largest k such that, whichever k active
     * hosts fail, every HA VM still fits (memory and vCPUs, first-fit decreasing) on the remaining active hosts.
     * Conservative: networks, drivers and preferences are ignored, and first-fit may miss a packing that exists.
     * -1 when the pool has no active host.
     */
    int getFailuresToTolerate();

    /** Every alarm raised by a live host, as {@code <host>: <alarm>} (e.g. {@code h1: storage-degraded}). */
    String[] getAlarms();

    /** Records vmha could not read (corrupt nodes), as {@code vmha status} lists them; empty when all is well. */
    String[] getProblems();

    /** This daemon's host name. */
    String getThisHost();

    /** This host's state: JOINING, ACTIVE, FROZEN (ZooKeeper suspended), FENCED or LEAVING. */
    String getThisHostState();

    /** True while this host is the pool master and acting as such. */
    boolean isThisHostMaster();

    /** This host's ZooKeeper connection: CONNECTED, SUSPENDED (freeze) or LOST (fence unless the whole pool lost it). */
    String getZooKeeperState();

    /** This host's ZooKeeper session id in hex, "0" without a session. */
    String getZooKeeperSession();

    /** Milliseconds since this host's last answered ZooKeeper round trip (its lease), -1 before the first. */
    long getZooKeeperContactAgeMillis();

    /** This daemon's Jolokia URL ("" when Jolokia is disabled). */
    String getJolokiaUrl();

    /** This daemon's Prometheus scrape URL ("" when the endpoint is disabled). */
    String getPrometheusUrl();

    /**
     * Enable or disable HA for one VM (the CLI's {@code --no-ha}). With HA off a crashed VM, or the VM of a
     * failed host, is left STOPPED instead of restarted. Returns what was changed.
     */
    String setVmHaEnabled(String vm, boolean enabled);

    /**
     * Start a VM an operator stopped (state STOPPED or ERROR): the master places it anew, under a new epoch.
     * Returns what was requested.
     */
    String startVm(String vm);

    /**
     * Stop a running VM on purpose: its owner stops it and records STOPPED, and vmha leaves it stopped (no
     * restart, whatever its HA setting) until {@link #startVm} is called. Returns what was requested.
     */
    String stopVm(String vm);

    /**
     * The pool's audit log (what {@code vmha events} prints): events written at or after {@code sinceMillis}
     * (Unix ms; 0 for all that is kept, the newest 1000), one line each: time, source, message.
     */
    String[] events(long sinceMillis);
}
