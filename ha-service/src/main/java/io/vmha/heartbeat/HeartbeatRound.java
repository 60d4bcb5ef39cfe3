package io.vmha.heartbeat;

import io.vmha.core.DiskView;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.PoisonPill;
import io.vmha.core.SlotLiveness;
import io.vmha.core.SlotReading;
import io.vmha.core.port.Clock;
import io.vmha.core.port.Journal;

import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One heartbeat round, run only on the heartbeat thread: write this host's slot, deliver queued poison
 * pills, clear an acknowledged pill, then read every slot and this host's mailbox and judge each slot with
 * {@link SlotLiveness} on this host's monotonic clock. Keeps the state that only that thread touches.
 */
final class HeartbeatRound {
    private final HeartbeatDevice device;
    private final int slotCount;
    private final int mySlot;
    private final String me;
    private final long incarnation;
    private final Clock clock;
    private final Journal journal;
    private final Supplier<HeartbeatSlot> published;
    private final Queue<PoisonPill> outbox;
    private final AtomicReference<PoisonPill> acknowledged;
    private final SlotLiveness liveness;
    private final Map<Integer, String> lastHost = new HashMap<>();
    private final Map<Integer, String> lastLabel = new HashMap<>();
    private long sequence;
    private String ioProblem = "";
    private volatile SortedMap<Integer, SlotReading> byIndex = Collections.emptySortedMap();

    HeartbeatRound(HeartbeatDevice device, int slotCount, int mySlot, String me, long incarnation, long firstSequence,
                   long timeoutMillis, Clock clock, Journal journal, Supplier<HeartbeatSlot> published,
                   Queue<PoisonPill> outbox, AtomicReference<PoisonPill> acknowledged) {
        this.device = device;
        this.slotCount = slotCount;
        this.mySlot = mySlot;
        this.me = me;
        this.incarnation = incarnation;
        this.sequence = firstSequence;
        this.clock = clock;
        this.journal = journal;
        this.published = published;
        this.outbox = outbox;
        this.acknowledged = acknowledged;
        this.liveness = new SlotLiveness(timeoutMillis);
    }

    /** Every slot's latest reading by index, including EMPTY ones and CORRUPT ones no host name is known for. */
    SortedMap<Integer, SlotReading> byIndex() { return byIndex; }

    /** Runs one round; returns the new view, or {@code previous} with fresher storage figures if a read failed. */
    DiskView run(DiskView previous) {
        long start = clock.monotonicMillis();
        long writeMicros = previous.writeMicros();
        String problem = "";
        HeartbeatSlot p = published.get();
        HeartbeatSlot mine = new HeartbeatSlot(me, incarnation, ++sequence, p.zk(), p.zkSessionId(), p.msSinceZkContact(),
                p.fence(), p.epochs());
        long t0 = System.nanoTime();
        try {
            device.writeBlock(HeartbeatFormat.slotBlock(mySlot), HeartbeatFormat.encodeSlot(mySlot, mine));
        } catch (IOException | RuntimeException e) {
            problem = "writing own slot " + mySlot + ": " + e.getMessage();
        }
        writeMicros = (System.nanoTime() - t0) / 1_000;
        Map<Integer, Decoded<SlotBlock>> slots = new TreeMap<>();
        Decoded<MailboxMessage> mailbox;
        try {
            deliverPills();
            clearAcknowledged();
            for (int i = 0; i < slotCount; i++) {
                slots.put(i, HeartbeatFormat.decodeSlot(device.readBlock(HeartbeatFormat.slotBlock(i)), i));
            }
            mailbox = HeartbeatFormat.decodeMailbox(device.readBlock(HeartbeatFormat.mailboxBlock(mySlot)), mySlot);
        } catch (IOException | RuntimeException e) {
            noteIo(problem.isEmpty() ? "reading: " + e.getMessage() : problem);
            return new DiskView(true, previous.lastGoodRoundMillis(), previous.slots(), previous.pill(), writeMicros);
        }
        Decoded<SlotBlock> own = slots.get(mySlot);
        if (problem.isEmpty() && !(own.isValid() && own.value().slot().host().equals(me)
                && own.value().slot().incarnation() == incarnation)) {
            // Someone else wrote over our slot (a claim race, or a second daemon): this round proves nothing.
            problem = "own slot " + mySlot + " does not hold what this host wrote: " + own;
        }
        noteIo(problem);
        long now = clock.monotonicMillis();
        SortedMap<Integer, SlotReading> readings = new TreeMap<>();
        for (Map.Entry<Integer, Decoded<SlotBlock>> e : slots.entrySet()) {
            Decoded<SlotBlock> d = e.getValue();
            SlotReading r = liveness.observe(e.getKey(), d.status(), d.isValid() ? d.value().slot() : null, d.problem(), now);
            readings.put(e.getKey(), r);
            if (d.isValid()) lastHost.put(e.getKey(), d.value().slot().host());
            journalChange(r);
        }
        byIndex = Collections.unmodifiableSortedMap(readings);
        return new DiskView(true, problem.isEmpty() ? start : previous.lastGoodRoundMillis(), byHost(readings),
                pillFor(mailbox), writeMicros);
    }

    /** Readings keyed by host; an unreadable slot is listed under the host last seen in it, so it is not forgotten. */
    private SortedMap<String, SlotReading> byHost(SortedMap<Integer, SlotReading> readings) {
        SortedMap<String, SlotReading> out = new TreeMap<>();
        for (SlotReading r : readings.values()) {
            if (r.status() == SlotReading.Status.VALID) {
                SlotReading there = out.get(r.slot().host());
                if (there == null || (!there.live() && r.live())) out.put(r.slot().host(), r);
            }
        }
        for (SlotReading r : readings.values()) {
            String host = lastHost.get(r.index());
            if (r.status() != SlotReading.Status.VALID && host != null) out.putIfAbsent(host, r);
        }
        return out;
    }

    private Optional<PoisonPill> pillFor(Decoded<MailboxMessage> mailbox) {
        if (mailbox.isCorrupt()) journalOnce("mailbox", "mailbox of slot " + mySlot + " corrupt: " + mailbox.problem());
        if (!mailbox.isValid() || mailbox.value().type() != MailboxMessage.Type.POISON) return Optional.empty();
        MailboxMessage m = mailbox.value();
        // Addressed to a previous incarnation: a pill for the daemon that died, not for us.
        if (!m.targetHost().equals(me) || m.targetIncarnation() != incarnation) return Optional.empty();
        PoisonPill pill = new PoisonPill(m.sender(), me, incarnation, m.sequence());
        return pill.equals(acknowledged.get()) ? Optional.empty() : Optional.of(pill);
    }

    private void deliverPills() throws IOException {
        for (PoisonPill pill = outbox.peek(); pill != null; pill = outbox.peek()) {
            Integer target = null;
            for (Map.Entry<Integer, String> e : new TreeMap<>(lastHost).entrySet()) {
                if (e.getValue().equals(pill.target())) target = e.getKey();
            }
            if (target == null) {
                journal.record(me, "heartbeat: poison pill for " + pill.target() + " dropped: no slot carries that host");
            } else {
                device.writeBlock(HeartbeatFormat.mailboxBlock(target), HeartbeatFormat.encodeMailbox(new MailboxMessage(
                        target, MailboxMessage.Type.POISON, pill.target(), pill.targetIncarnation(), pill.from(), pill.sequence())));
                journal.record(me, "heartbeat: poison pill written to " + pill.target() + " (slot " + target
                        + ", incarnation " + pill.targetIncarnation() + ")");
            }
            outbox.poll(); // only after the write: a failed write is retried next round
        }
    }

    /** Clears our mailbox only if it still holds the acknowledged pill, so a newer pill is not wiped unread. */
    private void clearAcknowledged() throws IOException {
        PoisonPill ack = acknowledged.get();
        if (ack == null) return;
        Decoded<MailboxMessage> m = HeartbeatFormat.decodeMailbox(device.readBlock(HeartbeatFormat.mailboxBlock(mySlot)), mySlot);
        if (m.isValid() && m.value().sender().equals(ack.from()) && m.value().sequence() == ack.sequence()
                && m.value().targetIncarnation() == ack.targetIncarnation()) {
            // Race: a sender writing between our read and this write loses its pill; it re-sends while we look alive.
            device.writeBlock(HeartbeatFormat.mailboxBlock(mySlot), new byte[HeartbeatFormat.BLOCK]);
            journal.record(me, "heartbeat: poison pill from " + ack.from() + " acknowledged, mailbox cleared");
        }
    }

    private void journalChange(SlotReading r) {
        String host = lastHost.getOrDefault(r.index(), "?");
        String label = switchLabel(r);
        String before = lastLabel.put(r.index(), label);
        if (label.equals(before) || (before == null && r.status() == SlotReading.Status.EMPTY)) return;
        String detail = r.status() == SlotReading.Status.CORRUPT ? " (" + r.problem() + ")"
                : r.stale() && r.status() == SlotReading.Status.VALID
                ? " (sequence " + r.slot().sequence() + " unchanged for " + r.unchangedFor() + " ms)" : "";
        journal.record(me, "heartbeat slot " + r.index() + " (" + host + "): " + (before == null ? "seen" : before)
                + " => " + label + detail);
    }

    private static String switchLabel(SlotReading r) {
        if (r.status() == SlotReading.Status.EMPTY) return "empty";
        if (r.status() == SlotReading.Status.CORRUPT) return "corrupt";
        return (r.stale() ? "stale " : "live ") + r.slot().host() + "/" + r.slot().incarnation();
    }

    private void noteIo(String problem) {
        if (problem.equals(ioProblem)) return;
        journal.record(me, problem.isEmpty() ? "heartbeat disk: rounds succeed again" : "heartbeat disk: " + problem);
        ioProblem = problem;
    }

    private final Map<String, String> once = new HashMap<>();

    private void journalOnce(String key, String message) {
        if (!message.equals(once.put(key, message))) journal.record(me, "heartbeat: " + message);
    }
}
