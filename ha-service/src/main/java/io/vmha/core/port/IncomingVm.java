package io.vmha.core.port;

/**
 * A paused instance on a migration target.
 *
 * @param epoch  the epoch it was prepared for (the owner record's epoch once the move commits)
 * @param detail why it FAILED, "" otherwise
 */
public record IncomingVm(String vm, String migrationId, long epoch, Phase phase, String detail) {
    public enum Phase {
        /** Listening, the stream not (fully) received. */
        WAITING,
        /** The whole stream arrived; the guest is paused here, ready to run on {@link LiveMigration#activate}. */
        LOADED,
        /** The stream broke or the process died; discard it. */
        FAILED
    }
}
