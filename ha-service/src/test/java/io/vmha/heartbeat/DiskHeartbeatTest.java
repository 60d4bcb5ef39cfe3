package io.vmha.heartbeat;

import io.vmha.agent.SystemClock;
import io.vmha.core.DiskView;
import io.vmha.core.FenceState;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.PoisonPill;
import io.vmha.core.SlotReading;
import io.vmha.core.port.Clock;
import io.vmha.core.port.ConnectionState;
import io.vmha.core.port.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two (or three) hosts on one real file, with the test timing: interval 100 ms, timeout 500 ms. */
class DiskHeartbeatTest {
    static final long INTERVAL = 100;
    static final long TIMEOUT = 500;
    final Clock clock = new SystemClock();
    final List<String> journal = new CopyOnWriteArrayList<>();
    final Journal log = (source, message) -> journal.add(source + ": " + message);

    private Path formatted(Path dir) throws IOException {
        Path dev = dir.resolve("hb");
        new HeartbeatAdmin(clock).init(dev, "pool1", 4, INTERVAL, TIMEOUT, false);
        return dev;
    }

    private DiskHeartbeat host(Path dev, String name, long incarnation) {
        return new DiskHeartbeat(dev, "pool1", name, incarnation, INTERVAL, TIMEOUT, clock, log);
    }

    static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Test void hostsSeeEachOtherThenAStoppedOneGoesStale(@TempDir Path dir) throws Exception {
        Path dev = formatted(dir);
        try (DiskHeartbeat h1 = host(dev, "h1", 1); DiskHeartbeat h2 = host(dev, "h2", 5)) {
            h1.start();
            h2.start();
            assertTrue(h1.slotIndex() != h2.slotIndex());
            h2.publish(new HeartbeatSlot("h2", 5, 0, ConnectionState.CONNECTED, 77, 3, FenceState.NONE, null));
            await("h1 sees h2 connected", 3_000, () -> connected(h1.view(), "h2"));
            long seq = h1.view().slots().get("h2").slot().sequence();
            await("h2's sequence advances", 3_000, () -> h1.view().slots().get("h2").slot().sequence() > seq + 2);
            assertTrue(h1.view().slots().get("h2").live() && h2.view().slots().get("h1").live());
            assertTrue(h1.view().othersConnected("h1") && !h2.view().othersConnected("h2"), "h1 has not published: LOST");
            assertTrue(h1.view().lastGoodRoundMillis() > clock.monotonicMillis() - 1_000);
            h2.close();
            h2.close(); // idempotent
            long closedAt = clock.monotonicMillis();
            await("h1 sees h2 stale", 3_000, () -> h1.view().slots().get("h2").stale());
            assertTrue(clock.monotonicMillis() - closedAt >= TIMEOUT - INTERVAL, "stale too early");
            assertTrue(journal.stream().anyMatch(l -> l.startsWith("h1: heartbeat slot " + h2.slotIndex() + " (h2): live h2/5 => stale h2/5")),
                    String.join("\n", journal));
            assertThrows(IllegalStateException.class, h2::start);
        }
    }

    private static boolean connected(DiskView v, String host) {
        SlotReading r = v.slots().get(host);
        return r != null && r.live() && r.slot().zkConnected() && r.slot().msSinceZkContact() == 3;
    }

    @Test void aPillReachesOnlyTheIncarnationItIsAddressedTo(@TempDir Path dir) throws Exception {
        Path dev = formatted(dir);
        try (DiskHeartbeat h1 = host(dev, "h1", 1); DiskHeartbeat h2 = host(dev, "h2", 5)) {
            h1.start();
            h2.start();
            await("h1 sees h2", 3_000, () -> h1.view().slots().containsKey("h2"));
            h1.poison(new PoisonPill("h1", "h2", 4, 1)); // for h2's previous incarnation
            await("written", 3_000, () -> journal.stream().anyMatch(l -> l.contains("poison pill written to h2")));
            Thread.sleep(3 * INTERVAL);
            assertTrue(h2.view().pill().isEmpty(), "a pill for incarnation 4 must not reach incarnation 5");
            PoisonPill pill = new PoisonPill("h1", "h2", 5, 2);
            h1.poison(pill);
            await("h2 gets the pill", 3_000, () -> h2.view().pill().isPresent());
            assertEquals(pill, h2.view().pill().get());
            assertTrue(h1.view().pill().isEmpty());
            h2.acknowledgePill(pill);
            await("mailbox cleared", 3_000, () -> journal.stream().anyMatch(l -> l.contains("acknowledged, mailbox cleared")));
            assertTrue(h2.view().pill().isEmpty());
            assertTrue(new HeartbeatAdmin(clock).dump(dev, 0).slots().get(h2.slotIndex()).mailbox().equals("empty"));
        }
    }

    @Test void aCorruptedSlotIsReportedNeverTrusted(@TempDir Path dir) throws Exception {
        Path dev = formatted(dir);
        try (DiskHeartbeat h1 = host(dev, "h1", 1); DiskHeartbeat h2 = host(dev, "h2", 5)) {
            h1.start();
            h2.start();
            await("h1 sees h2", 3_000, () -> h1.view().slots().containsKey("h2"));
            h2.close();
            byte[] garbage = new byte[HeartbeatFormat.BLOCK];
            new Random(3).nextBytes(garbage);
            Thread.sleep(2 * INTERVAL); // h2's last round is over
            try (HeartbeatDevice d = new HeartbeatDevice(dev)) {
                d.writeBlock(HeartbeatFormat.slotBlock(h2.slotIndex()), garbage);
            }
            await("h2 corrupt", 3_000, () -> h1.view().slots().get("h2").status() == SlotReading.Status.CORRUPT);
            SlotReading r = h1.view().slots().get("h2");
            assertTrue(r.slot() == null && !r.live() && r.problem().contains("bad magic"), r.toString());
            assertEquals(SlotReading.Status.CORRUPT, h1.slotsByIndex().get(h2.slotIndex()).status());
            assertTrue(journal.stream().anyMatch(l -> l.contains("(h2): live h2/5 => corrupt (bad magic")), String.join("\n", journal));
        }
    }

    @Test void anotherPoolsDeviceOrOtherTimingIsRefused(@TempDir Path dir) throws Exception {
        Path dev = formatted(dir);
        try (DiskHeartbeat other = new DiskHeartbeat(dev, "pool2", "h1", 1, INTERVAL, TIMEOUT, clock, log)) {
            Exception e = assertThrows(io.vmha.core.InvalidInputException.class, other::start);
            assertTrue(e.getMessage().contains("belongs to pool \"pool1\""), e.getMessage());
        }
        try (DiskHeartbeat slow = new DiskHeartbeat(dev, "pool1", "h1", 1, 1000, 5000, clock, log)) {
            Exception e = assertThrows(io.vmha.core.InvalidInputException.class, slow::start);
            assertTrue(e.getMessage().contains("100/500 ms"), e.getMessage());
        }
    }

    @Test void aStalledWriteDoesNotBlockTheView(@TempDir Path dir) throws Exception {
        Path dev = formatted(dir);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger writes = new AtomicInteger();
        DiskHeartbeat.DeviceOpener stalling = p -> new HeartbeatDevice(p) {
            @Override public void writeBlock(long index, byte[] block) throws IOException {
                if (writes.incrementAndGet() > 6) { // claim + a few rounds, then the storage freezes
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                super.writeBlock(index, block);
            }
        };
        try (DiskHeartbeat h1 = new DiskHeartbeat(dev, "pool1", "h1", 1, INTERVAL, TIMEOUT, clock, log, stalling)) {
            h1.start();
            await("the write stalls", 3_000, () -> writes.get() > 6);
            long lastGood = h1.view().lastGoodRoundMillis();
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                DiskView v = h1.view();
                h1.publish(new HeartbeatSlot("h1", 1, 0, ConnectionState.CONNECTED, 1, 0, FenceState.NONE, null));
                h1.poison(new PoisonPill("h1", "h2", 1, i));
                assertTrue(System.nanoTime() - t0 < 50_000_000, "view/publish/poison blocked on the stalled disk");
                assertEquals(lastGood, v.lastGoodRoundMillis());
                Thread.sleep(INTERVAL);
            }
            assertTrue(clock.monotonicMillis() - h1.view().lastGoodRoundMillis() >= 10 * INTERVAL, "the last good round ages");
            release.countDown();
            await("rounds resume", 3_000, () -> h1.view().lastGoodRoundMillis() > lastGood);
            assertFalse(h1.view().slots().get("h1").stale());
        } finally {
            release.countDown();
        }
    }

    @Test void aRestartTakesOverItsOwnSlot(@TempDir Path dir) throws Exception {
        Path dev = formatted(dir);
        int first;
        try (DiskHeartbeat h1 = host(dev, "h1", 1)) {
            h1.start();
            first = h1.slotIndex();
            await("first round", 3_000, () -> h1.view().slots().containsKey("h1"));
        }
        try (DiskHeartbeat again = host(dev, "h1", 2); DiskHeartbeat h2 = host(dev, "h2", 1)) {
            again.start();
            assertEquals(first, again.slotIndex());
            h2.start();
            await("h2 sees incarnation 2", 3_000, () -> h2.view().slots().containsKey("h1")
                    && h2.view().slots().get("h1").slot().incarnation() == 2);
        }
    }
}
