package io.vmha.jmx;

/**
 * {@code vmha:type=Fencing}: this host's self-fencing. A host cut off from ZooKeeper hard-stops its VMs before
 * its session can expire (and so before the master restarts them elsewhere); a separate fence-guard process
 * stops them at the same deadline if the daemon itself stalls.
 */
public interface FencingMXBean {
    /** NONE, FENCING (stopping its VMs) or FENCED (every local VM stopped). */
    String getFenceState();

    /** True while the fence guard process is enabled (fencing.guard). */
    boolean isGuardEnabled();

    /**
     * Milliseconds left before this host must have stopped every VM unless it hears from ZooKeeper again (the
     * guard's deadline); -1 when no deadline applies (no VMs, or already fenced).
     */
    long getDeadlineInMillis();

    /** How long without ZooKeeper contact a host fences: session - stop deadline - safety margin. */
    long getFenceAfterMillis();

    /** Time allowed to hard-stop every local VM (fencing.stop-deadline-ms). */
    long getStopDeadlineMillis();

    /** fencing.safety-margin-ms: the host fences this much earlier, the master waits this much longer. */
    long getSafetyMarginMillis();

    /** How often this daemon fenced itself since it started. */
    long getFenceCount();

    /** The last fence: when (ISO-8601) and why; "" if none since start. */
    String getLastFence();
}
