package io.vmha.coordination;

import io.vmha.core.port.Clock;
import io.vmha.core.port.Journal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** Shared helpers for the real-ZooKeeper tests: clocks, a recording journal, waits with deadlines. */
final class ZkTestSupport {
    /** Scales every wait, like Curator's timing factor: raise it on a slow machine. */
    static final double TIMING = Double.parseDouble(System.getProperty("vmha.test.timing", "1"));
    static final int SESSION_MS = 2000;
    static final int CONNECTION_MS = 1000;

    private ZkTestSupport() {}

    static Duration scaled(Duration d) { return Duration.ofMillis((long) (d.toMillis() * TIMING)); }

    /** Poll {@code condition} until it holds or the (scaled) deadline passes; the wait is not the assertion. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + scaled(timeout).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + scaled(timeout) + " waiting for " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** Keep calling {@code action} until it succeeds (no exception) or the deadline passes. */
    static <T> T eventually(String what, Duration timeout, ThrowingSupplier<T> action) {
        long deadline = System.nanoTime() + scaled(timeout).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                return action.get();
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("timed out after " + scaled(timeout) + " waiting for " + what + "; last failure: " + last, last);
    }

    interface ThrowingSupplier<T> { T get() throws Exception; }

    /** A server with 100 ms ticks, so that the minimum session timeout is 200 ms and expiry tests are quick. */
    static TestingServer fastServer() throws Exception {
        return new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 100, -1), true);
    }

    static CuratorFramework startedClient(String connectString) {
        CuratorFramework client = Curators.newClient(connectString, SESSION_MS, CONNECTION_MS);
        client.start();
        return client;
    }

    static final Clock CLOCK = new Clock() {
        @Override public long monotonicMillis() { return System.nanoTime() / 1_000_000; }

        @Override public long wallMillis() { return System.currentTimeMillis(); }
    };

    /** A journal the test can read back. */
    static final class RecordingJournal implements Journal {
        private final List<String> lines = new ArrayList<>();

        @Override public synchronized void record(String source, String message) { lines.add(source + ": " + message); }

        synchronized List<String> lines() { return List.copyOf(lines); }

        boolean contains(String fragment) { return lines().stream().anyMatch(l -> l.contains(fragment)); }
    }

}
