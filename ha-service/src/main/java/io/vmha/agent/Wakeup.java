package io.vmha.agent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the daemon loop as soon as something changed (a coordinator event, a VM exit) so reaction
 * time is not bounded by the loop interval; signals arriving while the loop works are not lost.
 */
final class Wakeup {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean pending;

    void signal() {
        lock.lock();
        try {
            pending = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wait until signalled or {@code millis} pass; consumes the signal. */
    void await(long millis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!pending && nanos > 0) nanos = changed.awaitNanos(nanos);
            pending = false;
        } finally {
            lock.unlock();
        }
    }
}
