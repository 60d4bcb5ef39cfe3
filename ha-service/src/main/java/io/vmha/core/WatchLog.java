package io.vmha.core;

import io.vmha.core.port.Journal;

/**
 * The state of one health watch, logged on every change as {@code vm X <what> A => B (why)}: the line
 * the simulator's scenarios diff against.
 */
final class WatchLog<S extends Enum<S>> {
    private final String host;
    private final String subject;
    private final Journal journal;
    private S state;

    WatchLog(String host, String subject, S initial, Journal journal) {
        this.host = host;
        this.subject = subject;
        this.journal = journal;
        this.state = initial;
    }

    S state() { return state; }

    void set(S next, String why) {
        if (next == state) return;
        journal.record(host, subject + " " + state + " => " + next + " (" + why + ")");
        state = next;
    }
}
