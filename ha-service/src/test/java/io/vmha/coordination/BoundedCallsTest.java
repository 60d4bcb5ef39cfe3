package io.vmha.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.port.CoordinationException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedCallsTest {
    @Test
    void aCallThatHangsFailsAtTheBoundWithTheOutcomeUnknown() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (BoundedCalls calls = new BoundedCalls("h1", 200)) {
            long t0 = System.nanoTime();
            CoordinationException e = assertThrows(CoordinationException.class, () -> calls.call("writing /x", () -> {
                awaitQuietly(never);
                return true;
            }));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(tookMs >= 190 && tookMs < 2_000, "returned after " + tookMs + " ms");
            assertTrue(e.getMessage().contains("writing /x") && e.getMessage().contains("outcome is unknown"), e.getMessage());
        } finally {
            never.countDown();
        }
    }

    @Test
    void resultsAndExceptionsPassThrough() throws Exception {
        try (BoundedCalls calls = new BoundedCalls("h1", 2_000)) {
            assertEquals(42, calls.call("answer", () -> 42));
            CoordinationException thrown = new CoordinationException("conflict");
            assertEquals(thrown, assertThrows(CoordinationException.class, () -> calls.call("w", () -> {
                throw thrown;
            })));
            assertThrows(IllegalStateException.class, () -> calls.call("w", () -> {
                throw new IllegalStateException("bug");
            }));
        }
    }

    @Test
    void backgroundTasksRunInOrderOffTheCallersThread() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(50);
        Thread caller = Thread.currentThread();
        try (BoundedCalls calls = new BoundedCalls("h1", 2_000)) {
            for (int i = 0; i < 50; i++) {
                int n = i;
                calls.background("event " + i, () -> {
                    if (Thread.currentThread() != caller) seen.add(Integer.toString(n));
                    done.countDown();
                });
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(50, seen.size());
        for (int i = 0; i < 50; i++) assertEquals(Integer.toString(i), seen.get(i));
    }

    @Test
    void whenEveryThreadIsStuckFurtherCallsFailAtOnce() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (BoundedCalls calls = new BoundedCalls("h1", 100)) {
            for (int i = 0; i < 8; i++) { // 4 threads busy, 4 queued: all time out, none returns
                assertThrows(CoordinationException.class, () -> calls.call("stuck", () -> {
                    awaitQuietly(never);
                    return null;
                }));
            }
            long t0 = System.nanoTime();
            CoordinationException e = assertThrows(CoordinationException.class, () -> calls.call("one more", () -> 1));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 100, "refused at once");
            assertTrue(e.getMessage().contains("not attempted"), e.getMessage());
        } finally {
            never.countDown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
