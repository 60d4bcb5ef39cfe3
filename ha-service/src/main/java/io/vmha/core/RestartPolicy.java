package io.vmha.core;

import java.util.ArrayList;
import java.util.List;

/**
 * What to do after a VM crashed: restart in place up to {@code maxRestarts} times within the window,
 * then relocate up to {@code maxRelocations} more times, then give up (ERROR, an operator decides).
 * Crashes older than the window are forgotten, so a VM that ran well for a while starts afresh.
 */
public record RestartPolicy(int maxRestarts, long windowMillis, int maxRelocations) {
    public enum Decision { RESTART_IN_PLACE, RELOCATE, GIVE_UP }

    public RestartPolicy {
        if (maxRestarts < 0 || maxRestarts > 100) throw new InvalidInputException("restart.max-restarts", maxRestarts, "0 to 100");
        if (windowMillis < 10_000) throw new InvalidInputException("restart.window-seconds", windowMillis / 1000, "10 or more");
        if (maxRelocations < 0 || maxRelocations > 100) {
            throw new InvalidInputException("restart.max-relocations", maxRelocations, "0 to 100");
        }
    }

    public static RestartPolicy defaults() { return new RestartPolicy(3, 600_000, 2); }

    /** The crash times still inside the window at {@code nowWall}, oldest first. */
    public List<Long> recent(List<Long> crashTimesWall, long nowWall) {
        List<Long> kept = new ArrayList<>();
        for (long t : crashTimesWall) if (nowWall - t < windowMillis) kept.add(t);
        return kept;
    }

    /** Decide from the crashes inside the window, the latest one included. */
    public Decision decide(List<Long> recentCrashes) {
        int n = recentCrashes.size();
        if (n <= maxRestarts) return Decision.RESTART_IN_PLACE;
        if (n <= maxRestarts + maxRelocations) return Decision.RELOCATE;
        return Decision.GIVE_UP;
    }
}
