package io.vmha.core;

import io.vmha.core.port.GuestPing;
import io.vmha.core.port.Journal;

import java.util.Optional;

/**
 * The guest-heartbeat decision for one running instance. Silence counts only after the instance's minimum
 * uptime (a booting guest has no agent yet) and is measured from the last answer or the end of that uptime,
 * whichever is later; a panic counts at once. Pure: pings come in with their monotonic time.
 */
public final class GuestWatch {
    public enum State implements Described {
        BOOTING("within the minimum uptime: silence does not count yet"),
        ANSWERING("the guest answers its pings"),
        SILENT("no answer since the last good ping; reset when the failure interval passes"),
        NOT_MONITORED("the instance has no guest channel: nothing to judge"),
        RESETTING("a reset was asked for"),
        RESET_LIMIT("the reset budget is used up: alarm raised, no more resets until it frees");

        private final String description;

        State(String description) { this.description = description; }

        @Override public String description() { return description; }
    }

    private final GuestHeartbeat settings;
    private final long startedAt;
    private final WatchLog<State> log;
    private long lastOk;
    private GuestPing last;

    /** @param startedAt monotonic time the host first saw this instance run */
    public GuestWatch(String host, String vm, GuestHeartbeat settings, long startedAt, Journal journal) {
        this.settings = settings;
        this.startedAt = startedAt;
        this.lastOk = startedAt;
        this.log = new WatchLog<>(host, "vm " + vm + " guest-watch", State.BOOTING, journal);
    }

    public State state() { return log.state(); }

    public void observe(GuestPing ping, long atMillis) {
        last = ping;
        if (ping == GuestPing.OK) lastOk = Math.max(lastOk, atMillis);
    }

    /** True while the budget is spent and the guest still fails: the host raises an alarm. */
    public boolean alarmed() { return log.state() == State.RESET_LIMIT; }

    /** Decide at {@code now}: a reason to reset the guest now, or empty. Uses {@code budget} when it resets. */
    Optional<String> decide(long now, ResetBudget budget, int maxResets, long windowMillis) {
        String want = null;
        long uptimeEnd = startedAt + settings.effectiveMinUptimeMillis();
        if (last == GuestPing.PANICKED) {
            want = "guest panicked";
        } else if (last == GuestPing.OK) {
            log.set(State.ANSWERING, "guest answered");
        } else if (last == GuestPing.NOT_MONITORED) {
            log.set(State.NOT_MONITORED, "no guest channel");
        } else if (last == GuestPing.NO_ANSWER) {
            if (now < uptimeEnd) {
                log.set(State.BOOTING, "no answer yet, within the minimum uptime of " + settings.effectiveMinUptimeMillis() + " ms");
                return Optional.empty();
            }
            long silentFor = now - Math.max(lastOk, uptimeEnd);
            if (silentFor >= settings.effectiveFailureMillis()) {
                want = "no answer for " + silentFor + " ms (failure interval " + settings.effectiveFailureMillis() + " ms)";
            } else if (log.state() != State.RESET_LIMIT) {
                log.set(State.SILENT, "no answer");
            }
        }
        if (want == null) return Optional.empty();
        if (!budget.allows(now, maxResets, windowMillis)) {
            log.set(State.RESET_LIMIT, want + "; " + budget.used(now, windowMillis) + " of " + maxResets
                    + " resets in " + windowMillis / 1000 + " s used: alarm, no more resets");
            return Optional.empty();
        }
        budget.use(now);
        String why = want + "; reset " + budget.used(now, windowMillis) + " of " + maxResets + " in " + windowMillis / 1000 + " s";
        log.set(State.RESETTING, why);
        // Should the reset not happen (the driver failed), silence is measured afresh from here.
        lastOk = now;
        last = null;
        return Optional.of(why);
    }
}
