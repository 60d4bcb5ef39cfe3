package io.vmha.heartbeat;

import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import io.vmha.core.port.Clock;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Formatting and inspecting a heartbeat device, like {@code sbd create} and {@code sbd dump}. Formatting
 * wipes every slot, so it refuses a device that holds another pool's header, any data that is not a vmha
 * header, or this pool's own header, unless forced: a re-init under running hosts would blank their
 * heartbeats for a moment and make the master think them dead.
 */
public final class HeartbeatAdmin {
    private final Clock clock;

    public HeartbeatAdmin(Clock clock) { this.clock = clock; }

    /** Creates a regular file of the needed size when {@code device} does not exist, then formats it. */
    public HeartbeatHeader init(Path device, String pool, int slots, long intervalMillis, long timeoutMillis, boolean force)
            throws IOException {
        Names.check("heartbeat.pool", pool);
        if (slots < 1 || slots > HeartbeatHeader.MAX_SLOTS) {
            throw new InvalidInputException("heartbeat.slots", slots, "1 to " + HeartbeatHeader.MAX_SLOTS);
        }
        String timing = HeartbeatHeader.problem(pool, slots, 512, intervalMillis, timeoutMillis, 0);
        if (timing != null) throw new InvalidInputException("heartbeat.timing", intervalMillis + "/" + timeoutMillis + " ms", timing);
        long needed = HeartbeatFormat.deviceBytes(slots);
        if (!Files.exists(device)) {
            Path parent = device.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new InvalidInputException("heartbeat.device", device.toString(), "a path in an existing directory (" + parent + " is not one)");
            }
            try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw")) {
                f.setLength(needed);
            }
        }
        try (HeartbeatDevice d = new HeartbeatDevice(device)) {
            if (d.size() < needed) {
                if (d.isBlockDevice()) {
                    throw new InvalidInputException("heartbeat.slots", slots, "at most " + HeartbeatFormat.slotsThatFit(d.size())
                            + " on " + device + " (" + d.size() + " bytes; " + slots + " slots need " + needed + ")");
                }
                try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw")) {
                    f.setLength(needed);
                }
            }
            if (!force) refuseOverwrite(d, pool);
            HeartbeatHeader header = new HeartbeatHeader(pool, slots, d.sectorSize(), intervalMillis, timeoutMillis, clock.wallMillis());
            // Slots first, header last: a device is never seen with the new header over old slots.
            byte[] zeros = new byte[HeartbeatFormat.BLOCK];
            for (int i = 0; i < slots; i++) {
                d.writeBlock(HeartbeatFormat.slotBlock(i), zeros);
                d.writeBlock(HeartbeatFormat.mailboxBlock(i), zeros);
            }
            d.writeBlock(HeartbeatFormat.headerBlock(), HeartbeatFormat.encodeHeader(header));
            return header;
        }
    }

    private void refuseOverwrite(HeartbeatDevice d, String pool) throws IOException {
        Decoded<HeartbeatHeader> h = HeartbeatFormat.decodeHeader(d.readBlock(HeartbeatFormat.headerBlock()));
        String path = d.path().toString();
        if (h.isCorrupt()) {
            throw new InvalidInputException("heartbeat.device", path, "an unformatted (all-zero) device or a vmha heartbeat "
                    + "device; block 0 holds something else (" + h.problem() + "). Give --force to overwrite it");
        }
        if (!h.isValid()) return;
        HeartbeatHeader old = h.value();
        if (!old.pool().equals(pool)) {
            throw new InvalidInputException("heartbeat.device", path, "a device of pool \"" + pool + "\" or an unformatted one; it "
                    + "carries the header of pool \"" + old.pool() + "\" (" + old.slotCount() + " slots). Give --force to "
                    + "overwrite it: every host of pool \"" + old.pool() + "\" then loses its disk heartbeat");
        }
        Dump seen = dump(d, Math.min(2 * old.intervalMillis(), 3_000));
        List<String> live = new ArrayList<>();
        int used = 0;
        for (SlotDump s : seen.slots()) {
            if (!s.status().equals("EMPTY")) used++;
            if (Boolean.TRUE.equals(s.advancing())) live.add(s.host());
        }
        throw new InvalidInputException("heartbeat.device", path, "a device not yet formatted; it is already formatted for pool \""
                + pool + "\" with " + used + " of " + old.slotCount() + " slots in use" + (live.isEmpty() ? "" : " and hosts "
                + live + " writing right now") + ". Re-init wipes every slot, so running hosts would look dead to the "
                + "master; give --force to re-init anyway");
    }

    // ---------------------------------------------------------------- dump

    /** One slot as {@code vmha heartbeat dump} shows it; {@code advancing} is null unless observed twice. */
    public record SlotDump(int index, String status, String problem, String host, Long incarnation, Long sequence,
                           String zk, String zkSessionId, Long msSinceZkContact, String fence, Integer vms,
                           Boolean truncated, Map<String, Long> epochs, Boolean advancing, String mailbox) {}

    public record Dump(String device, boolean blockDevice, int sectorSize, String headerStatus, String headerProblem,
                       HeartbeatHeader header, List<SlotDump> slots) {}

    /** Reads the header and every slot; with {@code observeMillis > 0} reads the slots twice to tell who is advancing. */
    public Dump dump(Path device, long observeMillis) throws IOException {
        try (HeartbeatDevice d = new HeartbeatDevice(device)) {
            return dump(d, observeMillis);
        }
    }

    Dump dump(HeartbeatDevice d, long observeMillis) throws IOException {
        Decoded<HeartbeatHeader> h = HeartbeatFormat.decodeHeader(d.readBlock(HeartbeatFormat.headerBlock()));
        List<SlotDump> slots = new ArrayList<>();
        // Without a valid header the slot count is unknown: show what the device size allows.
        int count = h.isValid() ? h.value().slotCount() : HeartbeatFormat.slotsThatFit(d.size());
        Map<Integer, Decoded<SlotBlock>> first = new TreeMap<>();
        if (observeMillis > 0) {
            for (int i = 0; i < count; i++) first.put(i, HeartbeatFormat.decodeSlot(d.readBlock(HeartbeatFormat.slotBlock(i)), i));
            sleep(observeMillis);
        }
        for (int i = 0; i < count; i++) {
            Decoded<SlotBlock> s = HeartbeatFormat.decodeSlot(d.readBlock(HeartbeatFormat.slotBlock(i)), i);
            Decoded<MailboxMessage> m = HeartbeatFormat.decodeMailbox(d.readBlock(HeartbeatFormat.mailboxBlock(i)), i);
            slots.add(slotDump(i, s, m, first.get(i)));
        }
        return new Dump(d.path().toString(), d.isBlockDevice(), d.sectorSize(), h.status().name(), h.problem(),
                h.value(), slots);
    }

    private static SlotDump slotDump(int i, Decoded<SlotBlock> s, Decoded<MailboxMessage> m, Decoded<SlotBlock> before) {
        String mailbox = m.isEmpty() ? "empty" : m.isCorrupt() ? "CORRUPT: " + m.problem() : describe(m.value());
        if (!s.isValid()) {
            return new SlotDump(i, s.status().name(), s.problem(), null, null, null, null, null, null, null, null, null,
                    null, null, mailbox);
        }
        var slot = s.value().slot();
        Boolean advancing = null;
        if (before != null) {
            advancing = !before.isValid() || before.value().slot().incarnation() != slot.incarnation()
                    || before.value().slot().sequence() != slot.sequence();
        }
        return new SlotDump(i, "VALID", "", slot.host(), slot.incarnation(), slot.sequence(), slot.zk().name(),
                "0x" + Long.toHexString(slot.zkSessionId()), slot.msSinceZkContact(), slot.fence().name(),
                slot.epochs().size(), s.value().truncated(), slot.epochs(), advancing, mailbox);
    }

    static String describe(MailboxMessage m) {
        if (m.type() == MailboxMessage.Type.NONE) return "none";
        return "POISON from " + m.sender() + " for " + m.targetHost() + " incarnation " + m.targetIncarnation()
                + " (message " + m.sequence() + ")";
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while observing the heartbeat device", e);
        }
    }
}
