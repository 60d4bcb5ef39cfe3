package io.vmha.jmx;

/**
 * {@code vmha:type=Migration}: live migrations through the vmha tunnel. The operations go to the pool master,
 * which orchestrates: the target prepares, the source sends, the owner epoch moves only once the target runs;
 * on any failure the VM stays (or is resumed) on its source. In a build without live migration
 * ({@link #isAvailable()} false) the operations fail with an explanation and nothing moves.
 */
public interface MigrationMXBean {
    /** True when this build and host can migrate. */
    boolean isAvailable();

    /** Migrations in flight as this daemon sees them, with progress. */
    MigrationInfo[] getInFlight();

    /** Completed migrations this daemon saw succeed since it started. */
    long getSucceeded();

    /** Migrations this daemon saw fail since it started (the VM stayed on its source). */
    long getFailed();

    /** Migrations cancelled since this daemon started. */
    long getCancelled();

    /** Move {@code vm} live to {@code toHost}; returns what was requested. */
    String migrate(String vm, String toHost);

    /** Cancel the live migration of {@code vm}; returns what was requested. */
    String cancel(String vm);
}
