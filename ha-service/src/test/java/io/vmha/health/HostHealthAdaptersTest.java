package io.vmha.health;

import io.vmha.agent.HostHealthRunner;
import io.vmha.core.HealthAction;
import io.vmha.core.HealthPolicy;
import io.vmha.core.HealthReading;
import io.vmha.core.port.Clock;
import io.vmha.core.port.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host-health adapters against a fake sysfs, loopback and a hand-driven clock; the runner end to end. */
class HostHealthAdaptersTest {
    @TempDir Path sysfs;

    private static final Clock REAL = new Clock() {
        @Override public long monotonicMillis() { return System.nanoTime() / 1_000_000; }
        @Override public long wallMillis() { return System.currentTimeMillis(); }
    };

    private void link(String nic, String operstate, String carrier) throws Exception {
        Path dir = Files.createDirectories(sysfs.resolve(nic));
        Files.writeString(dir.resolve("operstate"), operstate + "\n");
        if (carrier == null) Files.deleteIfExists(dir.resolve("carrier"));
        else Files.writeString(dir.resolve("carrier"), carrier + "\n");
    }

    @Test
    void nicLinkFromOperstateAndCarrier() throws Exception {
        NicLinkMonitor m = new NicLinkMonitor(sysfs, "eth1");
        HealthReading.NicLink missing = m.read(5);
        assertFalse(missing.up());
        assertTrue(missing.detail().startsWith("no such NIC"), missing.detail());
        link("eth1", "up", "1");
        assertTrue(m.read(6).up());
        link("eth1", "down", null); // carrier cannot be read while administratively down
        HealthReading.NicLink down = m.read(7);
        assertFalse(down.up());
        assertEquals("operstate down, carrier (missing)", down.detail());
        link("eth1", "unknown", "1");
        assertTrue(m.read(8).up());
        link("eth1", "unknown", "0");
        assertFalse(m.read(9).up());
        link("eth1", "lowerlayerdown", "0");
        assertFalse(m.read(10).up());
    }

    @Test
    void reachabilityOfLoopbackAndOfANameThatDoesNotResolve() {
        assertTrue(new ReachabilityMonitor("127.0.0.1", 1000, REAL).probe().reachable());
        HealthReading.Reachable r = new ReachabilityMonitor("no-such-host.invalid", 200, REAL).probe();
        assertFalse(r.reachable());
        assertTrue(r.detail().startsWith("cannot resolve"), r.detail());
    }

    @Test
    void diskLatencyReportsWritesAndAHangingRound() {
        AtomicLong now = new AtomicLong(10_000);
        AtomicLong since = new AtomicLong(Connection.NEVER);
        Clock clock = new Clock() {
            @Override public long monotonicMillis() { return now.get(); }
            @Override public long wallMillis() { return now.get(); }
        };
        List<HealthReading> out = new ArrayList<>();
        DiskLatencyMonitor m = new DiskLatencyMonitor(500, clock, since::get, out::add);
        m.written(1_500);
        m.checkHanging();
        since.set(10_000);
        now.set(10_400);
        m.checkHanging(); // a round running, but not past the warning level yet
        now.set(12_000);
        m.checkHanging();
        assertEquals(List.of(new HealthReading.DiskWrite(1, 10_000), new HealthReading.DiskWrite(2_000, 12_000)), out);
    }

    @Test
    void theRunnerSamplesOffThreadAndWakesTheLoopOnAFlip() throws Exception {
        link("eth1", "up", "1");
        HealthPolicy policy = new HealthPolicy(List.of(new HealthPolicy.Nic("eth1", List.of("biz"), HealthAction.NETWORKS, 2, 50)),
                List.of(), Optional.empty());
        AtomicInteger wakes = new AtomicInteger();
        try (HostHealthRunner runner = new HostHealthRunner("h1", policy, sysfs, null, 1000, REAL, (s, m) -> { },
                wakes::incrementAndGet)) {
            runner.start();
            assertTrue(awaitReading(runner, true), "no up reading within 10 s");
            // The wake follows the reading (another thread): wait for it rather than race it.
            assertTrue(awaitCount(wakes, 1), "the first reading did not wake the loop");
            int before = wakes.get();
            link("eth1", "down", null);
            assertTrue(awaitReading(runner, false), "no down reading within 10 s");
            assertTrue(awaitCount(wakes, before + 1), "the flip did not wake the loop");
        }
    }

    private static boolean awaitReading(HostHealthRunner runner, boolean up) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (HealthReading r : runner.drain()) if (((HealthReading.NicLink) r).up() == up) return true;
            Thread.sleep(20);
        }
        return false;
    }

    private static boolean awaitCount(AtomicInteger count, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (count.get() < atLeast && System.nanoTime() < deadline) Thread.sleep(5);
        return count.get() >= atLeast;
    }
}
