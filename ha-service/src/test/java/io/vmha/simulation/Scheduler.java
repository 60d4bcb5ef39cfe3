package io.vmha.simulation;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The simulation's only notion of time: a virtual clock in milliseconds and one queue of events ordered
 * by (time, sequence), so two events due at the same millisecond run in the order they were scheduled.
 * Single-threaded; nothing here ever sleeps.
 */
final class Scheduler {
    /** One thing that happens at one instant. */
    record Event(long time, long sequence, String what, Runnable action) {}

    private final PriorityQueue<Event> queue =
            new PriorityQueue<>(Comparator.comparingLong(Event::time).thenComparingLong(Event::sequence));
    private long sequence;
    private long now;
    private long executed;

    long now() { return now; }

    long executed() { return executed; }

    void at(long time, String what, Runnable action) {
        if (time < now) throw new IllegalStateException("event '" + what + "' scheduled in the past: " + time + " < " + now);
        queue.add(new Event(time, sequence++, what, action));
    }

    void after(long delayMillis, String what, Runnable action) { at(now + delayMillis, what, action); }

    /** Run the next event due no later than {@code until}; false when there is none. */
    boolean runNext(long until) {
        Event next = queue.peek();
        if (next == null || next.time() > until) {
            now = Math.max(now, until);
            return false;
        }
        queue.poll();
        now = next.time();
        executed++;
        next.action().run();
        return true;
    }
}
