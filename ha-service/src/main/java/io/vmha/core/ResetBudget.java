package io.vmha.core;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The in-place resets one VM may still get on this host: at most {@code max} within {@code windowMillis}
 * (monotonic). Guest-heartbeat and probe resets share it, so a guest that never comes back healthy is
 * reset a bounded number of times, then left to an operator.
 */
final class ResetBudget {
    private final Deque<Long> resets = new ArrayDeque<>();

    /** Resets used inside the window ending at {@code now}. */
    int used(long now, long windowMillis) {
        while (!resets.isEmpty() && now - resets.peekFirst() >= windowMillis) resets.removeFirst();
        return resets.size();
    }

    boolean allows(long now, int max, long windowMillis) { return used(now, windowMillis) < max; }

    void use(long now) { resets.addLast(now); }
}
