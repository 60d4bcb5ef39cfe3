package io.vmha.health;

/**
 * What one probe run found.
 *
 * @param latencyMillis from the start of the run to its verdict (the timeout, for a run that timed out)
 * @param detail        for the journal: "connected", "status 503", "exit 1", "timed out after 2000 ms"
 */
public record ProbeOutcome(Status status, long latencyMillis, String detail) {
    public enum Status {
        /** The application answered as expected. */
        PASS,
        /** It answered, wrongly (refused connection, unexpected status, non-zero exit). */
        FAIL,
        /** No verdict within the timeout. */
        TIMEOUT,
        /** The probe itself could not run (bad command, no route): counted as a failure too. */
        ERROR
    }

    public boolean ok() { return status == Status.PASS; }

    static ProbeOutcome of(Status status, long startNanos, String detail) {
        return new ProbeOutcome(status, (System.nanoTime() - startNanos) / 1_000_000, detail);
    }
}
