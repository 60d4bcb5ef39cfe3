package io.vmha.core;

/**
 * The few named settings every HA wait derives from, and the derivations, in one place so the host's
 * self-fence deadline and the master's restart wait can never disagree.
 *
 * <p>The host keeps a lease: it fences (hard-stops every local VM) once {@link #fenceAfterMillis()}
 * has passed since the send time of its last coordinator round trip that succeeded. The coordinator
 * heard the host no earlier than that send time and expires the session no earlier than one session
 * timeout later; so by the time the master can see the host's node vanish, the host has stopped its
 * VMs, with {@code stopDeadlineMillis + safetyMarginMillis} to spare.
 */
public record Timings(long sessionTimeoutMillis, long stopDeadlineMillis, long safetyMarginMillis,
                      long diskIntervalMillis, long diskTimeoutMillis) {
    /** Below this a lease would fence on ordinary coordinator hiccups (a leader election takes ~1 s). */
    public static final long MIN_FENCE_AFTER_MILLIS = 1000;

    public Timings(long sessionTimeoutMillis, long stopDeadlineMillis, long safetyMarginMillis) {
        this(sessionTimeoutMillis, stopDeadlineMillis, safetyMarginMillis, 1000, 5000);
    }

    public Timings {
        if (sessionTimeoutMillis < 1000 || sessionTimeoutMillis > 60_000) {
            throw new InvalidInputException("zookeeper.session-timeout-ms", sessionTimeoutMillis, "1000 to 60000");
        }
        if (stopDeadlineMillis < 100) throw new InvalidInputException("fencing.stop-deadline-ms", stopDeadlineMillis, "at least 100");
        if (safetyMarginMillis < 0) throw new InvalidInputException("fencing.safety-margin-ms", safetyMarginMillis, "0 or more");
        long fenceAfter = sessionTimeoutMillis - stopDeadlineMillis - safetyMarginMillis;
        if (fenceAfter < MIN_FENCE_AFTER_MILLIS) {
            throw new InvalidInputException("fencing.stop-deadline-ms", stopDeadlineMillis,
                    "a value leaving session-timeout-ms - stop-deadline-ms - safety-margin-ms >= "
                            + MIN_FENCE_AFTER_MILLIS + " ms (now " + fenceAfter + " ms): the lease would be too short");
        }
        if (diskIntervalMillis < 100 || diskIntervalMillis > 10_000) {
            throw new InvalidInputException("heartbeat.interval-ms", diskIntervalMillis, "100 to 10000");
        }
        // Three writes per timeout, so one slow write never makes a live host look dead.
        if (diskTimeoutMillis < 3 * diskIntervalMillis || diskTimeoutMillis > 120_000) {
            throw new InvalidInputException("heartbeat.timeout-ms", diskTimeoutMillis,
                    "at least 3 x heartbeat.interval-ms (" + 3 * diskIntervalMillis + ") and at most 120000");
        }
        long diskFenceAfter = diskTimeoutMillis - stopDeadlineMillis - safetyMarginMillis;
        if (diskFenceAfter < MIN_FENCE_AFTER_MILLIS) {
            throw new InvalidInputException("heartbeat.timeout-ms", diskTimeoutMillis,
                    "a value leaving timeout-ms - stop-deadline-ms - safety-margin-ms >= " + MIN_FENCE_AFTER_MILLIS
                            + " ms (now " + diskFenceAfter + " ms): a host could outlive the master's wait for its stale slot");
        }
    }

    public static Timings defaults() { return new Timings(6000, 500, 500, 1000, 5000); }

    /**
     * How long a host whose lease ran out waits, once it sees other hosts connected on the disk, before
     * fencing: when ZooKeeper comes back after an outage the hosts reconnect a second or so apart, and the last
     * one must not stop its VMs for that. Safe because, with a disk, the master restarts a vanished host's
     * VMs only when its slot says FENCED or has gone stale, and a stale slot means {@link #diskFenceAfterMillis()}
     * has passed. As long as a ZooKeeper session plus two disk intervals (8 s with the defaults): a client whose
     * connection attempt began during the outage can sit in it for its whole connect timeout (the session
     * timeout with one server) before it tries again; two intervals (the first value) fenced such a host in a
     * clean-clone CI run of the 300 s outage, 110 ms before it reconnected. The master holds its poison pill
     * for the same time when a vanished host's slot shows it alive without ZooKeeper (see MasterLogic).
     */
    public long reconnectGraceMillis() { return sessionTimeoutMillis + 2 * diskIntervalMillis; }

    /**
     * How long after its last good heartbeat round a host may keep VMs running on disk evidence alone (a
     * coordinator outage seen by everybody). Its slot stops advancing no earlier than that round, and the
     * master treats it as dead only {@link #diskTimeoutMillis()} after the last advance it saw: by then the
     * host's VMs have been stopped, with the stop deadline and the margin to spare.
     */
    public long diskFenceAfterMillis() { return diskTimeoutMillis - stopDeadlineMillis - safetyMarginMillis; }

    /**
     * A heartbeat slot's "connected to ZooKeeper" counts as evidence that the coordinator is up only if its
     * writer's last round trip is younger than this. When the whole coordinator goes down, every client still
     * says CONNECTED for its read timeout; by the time the first host's lease runs out (fence-after), the
     * others' slots it can have read were written at least two disk intervals before, by writers whose last
     * contact is then at least {@code fenceAfter - 2 x interval - probe} old (2000 ms with the defaults),
     * while a healthy writer's is at most one probe period old (1000 ms). Half-way between: 1500 ms.
     */
    public long zkClaimFreshMillis() {
        return Math.max(leaseProbeMillis() * 3 / 2, fenceAfterMillis() / 2 - diskIntervalMillis());
    }

    /** How long after its last confirmed coordinator contact a host hard-stops its VMs. */
    public long fenceAfterMillis() { return sessionTimeoutMillis - stopDeadlineMillis - safetyMarginMillis; }

    /** How often the host confirms its lease: several chances inside one fence period. */
    public long leaseProbeMillis() { return Math.max(100, fenceAfterMillis() / 5); }

    /**
     * How long the master waits after it sees a host's node vanish before it restarts that host's VMs.
     * The lease already guarantees the host stopped before its session expired; this covers clock-rate
     * drift between the two machines and the time the master's own cache took to notice.
     */
    public long masterGraceMillis() { return safetyMarginMillis; }
}
