package io.vmha.core.port;

import io.vmha.core.HealthResult;
import io.vmha.core.HealthTarget;

import java.util.List;
import java.util.SortedMap;

/**
 * Runs guest pings and application probes away from the decision loop (a small pool in the daemon, the
 * virtual scheduler in the simulator) and hands their results over on the next step. Never blocks.
 */
public interface HealthChecks {
    /** From now on check exactly these instances (by VM name): start new schedules, stop dropped ones. */
    void watch(SortedMap<String, HealthTarget> targets);

    /** Every result finished since the last call, oldest first. */
    List<HealthResult> drain();

    /** A host without health checks. */
    HealthChecks NONE = new HealthChecks() {
        @Override public void watch(SortedMap<String, HealthTarget> targets) { }

        @Override public List<HealthResult> drain() { return List.of(); }
    };
}
