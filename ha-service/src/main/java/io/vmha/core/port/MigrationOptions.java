package io.vmha.core.port;

/**
 * Per-migration limits handed to the driver.
 *
 * @param bandwidthBytesPerSecond cap on the migration stream, 0 for the hypervisor's default
 * @param maxDowntimeMillis       the longest pause the switch-over may cause, 0 for the hypervisor's default
 */
public record MigrationOptions(long bandwidthBytesPerSecond, long maxDowntimeMillis) {
    public static final MigrationOptions DEFAULT = new MigrationOptions(0, 0);

    public MigrationOptions {
        if (bandwidthBytesPerSecond < 0) throw new io.vmha.core.InvalidInputException("migration.bandwidth", bandwidthBytesPerSecond, "bytes per second >= 0 (0: no cap)");
        if (maxDowntimeMillis < 0) throw new io.vmha.core.InvalidInputException("migration.max-downtime", maxDowntimeMillis, "milliseconds >= 0 (0: the hypervisor's default)");
    }
}
