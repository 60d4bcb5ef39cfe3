package io.vmha.core;

/**
 * The pool's live-migration limits.
 *
 * @param maxPerHost  migrations one host takes part in at once, as source or target (the rest wait their turn)
 * @param timeoutMillis how long the master lets one migration run before it aborts it (the VM stays on the source)
 * @param bandwidthBytesPerSecond default cap per stream, 0: none
 * @param maxDowntimeMillis default longest switch-over pause, 0: the hypervisor's default
 */
public record MigrationPolicy(int maxPerHost, long timeoutMillis, long bandwidthBytesPerSecond, long maxDowntimeMillis) {
    public static final MigrationPolicy DEFAULT = new MigrationPolicy(2, 300_000, 0, 0);

    public MigrationPolicy {
        if (maxPerHost < 1 || maxPerHost > 64) throw new InvalidInputException("migration.max-per-host", maxPerHost, "1 to 64");
        if (timeoutMillis < 1_000) throw new InvalidInputException("migration.timeout-ms", timeoutMillis, "at least 1000");
        if (bandwidthBytesPerSecond < 0) throw new InvalidInputException("migration.bandwidth-mib", bandwidthBytesPerSecond, ">= 0 (0: no cap)");
        if (maxDowntimeMillis < 0) throw new InvalidInputException("migration.max-downtime-ms", maxDowntimeMillis, ">= 0 (0: the hypervisor's default)");
    }
}
