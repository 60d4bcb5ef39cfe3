package io.vmha.core;

/**
 * The master's plan for one live migration, carried in the owner record while it is MIGRATING (and in the
 * STARTING record that commits it, so the target knows its paused copy is the one to run).
 *
 * @param id       unique per attempt; the tunnel admits one connection for it
 * @param target   the host receiving the VM
 * @param token    one-time secret the source presents to the target's tunnel for this id
 * @param bandwidthBytesPerSecond cap on the stream, 0: none
 * @param maxDowntimeMillis longest switch-over pause, 0: the hypervisor's default
 * @param why      what asked for it (an operator, an evacuation, a lost network)
 */
public record MigrationPlan(String id, String target, String token, long bandwidthBytesPerSecond,
                            long maxDowntimeMillis, String why) {
    public MigrationPlan {
        Names.check("migration.id", id);
        Names.check("migration.target", target);
        if (token == null || token.length() < 16) {
            throw new InvalidInputException("migration.token", token == null ? null : "(" + token.length() + " chars)",
                    "a secret of at least 16 characters");
        }
        if (bandwidthBytesPerSecond < 0) throw new InvalidInputException("migration.bandwidth", bandwidthBytesPerSecond, "bytes per second >= 0 (0: no cap)");
        if (maxDowntimeMillis < 0) throw new InvalidInputException("migration.max-downtime", maxDowntimeMillis, "milliseconds >= 0");
        why = why == null ? "" : why;
    }

    /** Shown in logs and status; never includes the token. */
    @Override public String toString() {
        return "migration " + id + " to " + target + (why.isEmpty() ? "" : " (" + why + ")");
    }
}
