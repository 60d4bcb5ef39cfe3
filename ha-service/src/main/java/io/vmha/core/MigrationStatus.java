package io.vmha.core;

/**
 * One side's view of a live migration, published in its host record so that the master (and {@code vmha status})
 * sees both ends: the target says when it is ready and when the whole stream has arrived, the source how far it got.
 *
 * @param role   {@code source} or {@code target}
 * @param phase  the driver's phase: WAITING, LOADED, FAILED (target); SENDING, COMPLETED, FAILED, CANCELLED (source)
 * @param transferredBytes source: bytes sent so far (rounded, so progress does not rewrite the record every step)
 * @param totalBytes       source: guest memory size, 0 when unknown
 * @param detail why it FAILED or was CANCELLED, "" otherwise
 */
public record MigrationStatus(String vm, String id, String role, String phase, long transferredBytes, long totalBytes,
                              String detail) {
    public static final String SOURCE = "source";
    public static final String TARGET = "target";

    public MigrationStatus {
        Names.check("migration.vm", vm);
        Names.check("migration.id", id);
        if (!SOURCE.equals(role) && !TARGET.equals(role)) throw new InvalidInputException("migration.role", role, "source or target");
        if (phase == null || phase.isEmpty()) throw new InvalidInputException("migration.phase", phase, "a driver phase");
        detail = detail == null ? "" : detail;
    }

    public boolean is(String vmName, String migrationId, String phaseName) {
        return vm.equals(vmName) && id.equals(migrationId) && phase.equals(phaseName);
    }

    /** Percent of guest memory sent, -1 when the total is unknown. */
    public int percent() {
        return totalBytes <= 0 ? -1 : (int) Math.min(100, transferredBytes * 100 / totalBytes);
    }
}
