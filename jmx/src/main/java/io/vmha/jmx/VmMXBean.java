package io.vmha.jmx;

/**
 * {@code vmha:type=Vm,name=<vm>}: one registered VM: its spec (desired state) and its ownership record
 * (which host may run it, in which state, under which epoch). The operations are the same as the
 * VM operations of {@link PoolMXBean}, for this VM.
 */
public interface VmMXBean {
    String getName();

    /**
     * Ownership state: PENDING (waiting for room), STARTING, RUNNING, FAILED, STOPPING, STOPPED (on purpose),
     * ERROR (the restart policy gave up: needs an operator), or NEW (registered, not yet placed).
     */
    String getState();

    /** The owner host, "" when none. */
    String getHost();

    /** The fencing token: grows on every change of owner and every restart. */
    long getEpoch();

    /** Restarted after a crash or a host failure when true. */
    boolean isHaEnabled();

    long getMemoryMib();

    int getVcpus();

    String getDriver();

    /** Logical networks it needs; it runs only on hosts that provide all of them. */
    String[] getNetworks();

    /** Why the record is what it is (the last decision about it). */
    String getReason();

    /** The running instance's id, "" when none. */
    String getInstance();

    /** Crashes recorded within the restart policy's window. */
    int getRecentFailures();

    /** Enable HA for this VM; returns what was changed. */
    String enableHa();

    /** Disable HA for this VM; returns what was changed. */
    String disableHa();

    /** See {@link PoolMXBean#startVm}. */
    String start();

    /** See {@link PoolMXBean#stopVm}. */
    String stop();

    /** See {@link MigrationMXBean#migrate}. */
    String migrate(String toHost);
}
