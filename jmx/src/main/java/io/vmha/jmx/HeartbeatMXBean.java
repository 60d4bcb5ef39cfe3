package io.vmha.jmx;

import java.util.Map;

/**
 * {@code vmha:type=Heartbeat}: the shared-disk heartbeat as this daemon reads it. Every host writes its slot
 * every interval and reads all others; a slot whose counter has not advanced for the timeout (on this host's
 * own monotonic clock, never comparing clocks) is stale: its host is dead or past its self-fence deadline.
 */
public interface HeartbeatMXBean {
    /** False when no heartbeat disk is configured: ZooKeeper alone decides, and a pool-wide outage fences everyone. */
    boolean isConfigured();

    /** The device or file ("" when none). */
    String getDevice();

    long getIntervalMillis();

    long getTimeoutMillis();

    /** Milliseconds since this host last completed a full read of the disk; -1 if never. A master that cannot read yields. */
    long getLastGoodRoundAgeMillis();

    /** Duration of this host's last slot write, microseconds (-1 before the first). */
    long getLastWriteMicros();

    /** Per host with a slot: milliseconds its counter has not advanced. */
    Map<String, Long> getSlotAgesMillis();

    /** Hosts whose slot is stale. */
    String[] getStaleHosts();

    /** One line per slot: index, status (VALID, EMPTY, CORRUPT), host, ZooKeeper view, fence state, age. */
    String[] getSlots();
}
