package io.vmha.core;

/**
 * One sample of a host-health monitor, taken off the decision thread by an adapter and handed to
 * {@link HostHealthMonitors} on the next step. {@code atMillis} is the host's monotonic time of the sample.
 */
public sealed interface HealthReading {
    long atMillis();

    /** The link of NIC {@code nic}: up or not, and what the kernel said (operstate, carrier, missing NIC). */
    record NicLink(String nic, boolean up, String detail, long atMillis) implements HealthReading {}

    /** Whether {@code address} answered within the monitor's timeout, and how (or why not). */
    record Reachable(String address, boolean reachable, String detail, long atMillis) implements HealthReading {}

    /** How long one write of this host's heartbeat slot took (or has been hanging so far). */
    record DiskWrite(long latencyMillis, long atMillis) implements HealthReading {}
}
