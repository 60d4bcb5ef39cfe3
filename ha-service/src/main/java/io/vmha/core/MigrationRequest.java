package io.vmha.core;

/**
 * An operator's request in {@code migrations/<vm>}: move the VM live (to {@code to}, or where placement says), or
 * cancel the move under way. The master acts on it and deletes it; the outcome is in the owner record and the events.
 *
 * @param id     becomes the migration's id, so a waiting CLI can follow it
 * @param to     the target host, "" to let placement choose
 * @param bandwidthBytesPerSecond cap, 0: the pool's default
 * @param maxDowntimeMillis longest switch-over pause, 0: the pool's default
 * @param cancel true to cancel the VM's migration under way instead
 * @param by     who asked ("cli on host-a", "jmx", ...)
 */
public record MigrationRequest(String vm, String id, String to, long bandwidthBytesPerSecond, long maxDowntimeMillis,
                               boolean cancel, String by) {
    public MigrationRequest {
        Names.check("vm", vm);
        Names.check("migration.id", id);
        to = to == null ? "" : to;
        if (!to.isEmpty()) Names.check("to", to);
        if (bandwidthBytesPerSecond < 0) throw new InvalidInputException("bandwidth", bandwidthBytesPerSecond, "bytes per second >= 0 (0: the pool's default)");
        if (maxDowntimeMillis < 0) throw new InvalidInputException("max-downtime", maxDowntimeMillis, "milliseconds >= 0 (0: the pool's default)");
        by = by == null ? "" : by;
    }
}
