package io.vmha.jmx;

/**
 * What {@link MigrationMXBean}'s operations call: the daemon's live-migration entry points. A build without
 * live migration supplies {@link #NOT_AVAILABLE}, whose operations fail with a clear message instead of
 * pretending to succeed.
 */
public interface MigrationControl {
    /** Ask the pool master to move {@code vm} to {@code toHost} live; returns what was requested. */
    String migrate(String vm, String toHost);

    /** Cancel the live migration of {@code vm}; the VM stays (or is resumed) on its source. */
    String cancel(String vm);

    /** False when this build cannot migrate: the operations then throw. */
    boolean available();

    MigrationControl NOT_AVAILABLE = new MigrationControl() {
        @Override public String migrate(String vm, String toHost) {
            throw new UnsupportedOperationException("live migration is not available in this build of vmha; "
                    + "vm " + vm + " was not moved");
        }

        @Override public String cancel(String vm) {
            throw new UnsupportedOperationException("live migration is not available in this build of vmha; "
                    + "nothing to cancel for vm " + vm);
        }

        @Override public boolean available() { return false; }
    };
}
