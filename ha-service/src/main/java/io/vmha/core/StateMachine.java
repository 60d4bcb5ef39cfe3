package io.vmha.core;

import io.vmha.core.port.Journal;

import java.util.Map;
import java.util.Set;

/**
 * One state variable whose every change is validated against a table and logged as
 * {@code state A => B (reason)}: the log line is the oracle of the simulator's scenarios.
 */
public final class StateMachine<S extends Enum<S> & Described> {
    private final String source;
    private final String subject;
    private final Map<S, Set<S>> allowed;
    private final Journal journal;
    private S state;

    public StateMachine(String source, String subject, S initial, Map<S, Set<S>> allowed, Journal journal) {
        this.source = source;
        this.subject = subject;
        this.state = initial;
        this.allowed = allowed;
        this.journal = journal;
    }

    public S state() { return state; }

    /** Move to {@code next}; returns false (and logs nothing) when already there. */
    public boolean transition(S next, String reason) {
        if (next == state) return false;
        if (!allowed.get(state).contains(next)) {
            throw new IllegalStateException(subject + ": illegal state change " + state + " => " + next
                    + " (" + reason + "); allowed: " + allowed.get(state));
        }
        journal.record(source, subject + " state " + state + " => " + next + " (" + reason + ")");
        state = next;
        return true;
    }
}
