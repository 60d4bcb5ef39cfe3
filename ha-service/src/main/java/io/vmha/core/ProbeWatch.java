package io.vmha.core;

import io.vmha.core.port.Journal;

import java.util.Optional;

/**
 * One application probe of one running instance: {@code failure-threshold} consecutive failures after the
 * instance's minimum uptime trigger the probe's action. A RESET uses the VM's shared reset budget; a
 * RELOCATE hands the VM to the master (whose restart policy bounds relocations).
 */
public final class ProbeWatch {
    public enum State implements Described {
        BOOTING("within the minimum uptime: failures do not count yet"),
        PASSING("the last run passed"),
        FAILING("consecutive failures below the threshold"),
        ACTING("threshold reached: the action was asked for"),
        RESET_LIMIT("threshold reached but the reset budget is used up: alarm raised, no more resets");

        private final String description;

        State(String description) { this.description = description; }

        @Override public String description() { return description; }
    }

    private final HealthProbe probe;
    private final long uptimeEnd;
    private final WatchLog<State> log;
    private int consecutive;
    private String lastDetail = "";

    public ProbeWatch(String host, String vm, int index, HealthProbe probe, long startedAt, long minUptimeMillis,
                      Journal journal) {
        this.probe = probe;
        this.uptimeEnd = startedAt + minUptimeMillis;
        this.log = new WatchLog<>(host, "vm " + vm + " probe[" + index + "]", State.BOOTING, journal);
    }

    public State state() { return log.state(); }

    public HealthProbe.Action action() { return probe.action(); }

    public boolean alarmed() { return log.state() == State.RESET_LIMIT; }

    public void observe(boolean ok, String detail, long atMillis) {
        if (ok) {
            consecutive = 0;
            log.set(State.PASSING, probe.describe() + " passed");
            return;
        }
        if (atMillis < uptimeEnd) return; // an application still starting is not failing
        consecutive++;
        lastDetail = detail;
        if (log.state() != State.RESET_LIMIT && consecutive < probe.failureThreshold()) {
            log.set(State.FAILING, probe.describe() + ": " + detail);
        }
    }

    /** The reason to act now, or empty; a RESET consumes {@code budget}. */
    Optional<String> decide(long now, ResetBudget budget, int maxResets, long windowMillis) {
        if (consecutive < probe.failureThreshold()) return Optional.empty();
        String want = probe.describe() + " failed " + consecutive + " times in a row (" + lastDetail + ")";
        if (probe.action() == HealthProbe.Action.RESET) {
            if (!budget.allows(now, maxResets, windowMillis)) {
                log.set(State.RESET_LIMIT, want + "; " + budget.used(now, windowMillis) + " of " + maxResets
                        + " resets in " + windowMillis / 1000 + " s used: alarm, no more resets");
                return Optional.empty();
            }
            budget.use(now);
            want += ": reset " + budget.used(now, windowMillis) + " of " + maxResets + " in " + windowMillis / 1000 + " s";
        } else {
            want += ": relocate";
        }
        log.set(State.ACTING, want);
        consecutive = 0; // should the action not take effect, the threshold is counted afresh
        return Optional.of(want);
    }
}
