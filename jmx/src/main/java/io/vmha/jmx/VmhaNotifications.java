package io.vmha.jmx;

import java.util.List;

/**
 * The notification types {@code vmha:type=Pool} sends, one per HA event of the pool's audit log as this
 * daemon says or sees it. Subscribe with a filter on the type prefix {@code vmha.}. Each notification's
 * message is the event's text (the same line {@code vmha events} prints and the daemon logs), its user data
 * the event's source (a host name, or {@code master@<host>}), its time stamp the daemon's wall clock.
 *
 * <p>A notification is sent by the daemon that takes the action: a failover by the pool master, a fence by
 * the host that fences itself (even while ZooKeeper is unreachable and the audit log cannot store it).
 * Subscribe on every host to see everything.
 */
public final class VmhaNotifications {
    /** The master restarts a VM of a lost host on another host. */
    public static final String FAILOVER = "vmha.failover";
    /** A host fences itself (stops its VMs because it is cut off), or the master sends a poison pill. */
    public static final String FENCE = "vmha.fence";
    /** A live migration started, ended or failed. */
    public static final String MIGRATION = "vmha.migration";
    /** A host, VM or master-role state change (including restarts in place and resets). */
    public static final String STATE_CHANGE = "vmha.state";
    /** The set of a host's alarms changed (storage degraded, coordinator outage, network lost, ...). */
    public static final String ALARM = "vmha.alarm";

    /** Every type, for {@link javax.management.MBeanNotificationInfo}. */
    public static final List<String> TYPES = List.of(FAILOVER, FENCE, MIGRATION, STATE_CHANGE, ALARM);

    private VmhaNotifications() {}
}
