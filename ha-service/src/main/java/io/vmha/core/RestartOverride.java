package io.vmha.core;

/**
 * One VM's own restart policy, replacing the pool's: restarts in place, window and relocations as in
 * {@link RestartPolicy}, plus a backoff between retries. The first retry after a crash is immediate (a
 * single crash must be restarted within a second); each further crash inside the window waits
 * {@code backoffSeconds}, then double that, up to {@code backoffMaxSeconds}.
 */
public record RestartOverride(int maxRestarts, int windowSeconds, int maxRelocations, int backoffSeconds,
                              int backoffMaxSeconds) {
    public static final String FIELD = "vm.health.restart";

    public RestartOverride {
        if (maxRestarts < 0 || maxRestarts > 100) throw new InvalidInputException(FIELD + ".max-restarts", maxRestarts, "0 to 100");
        if (windowSeconds < 10 || windowSeconds > 30 * 86_400) {
            throw new InvalidInputException(FIELD + ".window-seconds", windowSeconds, "10 to " + 30 * 86_400);
        }
        if (maxRelocations < 0 || maxRelocations > 100) {
            throw new InvalidInputException(FIELD + ".max-relocations", maxRelocations, "0 to 100");
        }
        if (backoffSeconds < 0 || backoffSeconds > 3600) {
            throw new InvalidInputException(FIELD + ".backoff-seconds", backoffSeconds, "0 to 3600");
        }
        if (backoffMaxSeconds < backoffSeconds || backoffMaxSeconds > 86_400) {
            throw new InvalidInputException(FIELD + ".backoff-max-seconds", backoffMaxSeconds,
                    "backoff-seconds (" + backoffSeconds + ") to 86400");
        }
    }

    public RestartPolicy policy() { return new RestartPolicy(maxRestarts, windowSeconds * 1000L, maxRelocations); }

    /**
     * How long to wait before acting on the {@code crashes}-th crash inside the window (the latest included):
     * 0 for the first, then backoff, 2 x backoff, 4 x backoff ... capped.
     */
    public long backoffMillis(int crashes) {
        if (crashes <= 1 || backoffSeconds == 0) return 0;
        long wait = backoffSeconds * 1000L;
        for (int i = 2; i < crashes && wait < backoffMaxSeconds * 1000L; i++) wait *= 2;
        return Math.min(wait, backoffMaxSeconds * 1000L);
    }
}
