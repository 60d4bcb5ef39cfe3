package io.vmha.heartbeat;

import io.vmha.core.HeartbeatSlot;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The on-disk layout of a heartbeat device, after SBD: a header in block 0, then for slot {@code i} a slot
 * block at {@code BLOCK*(1+2i)} and a mailbox block at {@code BLOCK*(2+2i)}. Every block is {@link #BLOCK}
 * bytes, a multiple of both 512 and 4096, so each record is sector-aligned whatever the sector size, and one
 * record is never split across two sectors that could be written at different times; each block ends with a
 * CRC32C over the rest, so a torn or corrupt write is detected and never trusted.
 *
 * <p>A pure codec: decoders take any bytes, never throw, never allocate more than a block, and return
 * {@link Decoded} VALID, EMPTY (all zeros) or CORRUPT with the precise problem. Integers are big-endian.
 */
public final class HeartbeatFormat {
    public static final int BLOCK = 4096;
    public static final int VERSION = 1;
    static final int CRC_OFFSET = BLOCK - 4;
    static final byte[] HEADER_MAGIC = "VMHAHB01".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SLOT_MAGIC = "VMHASL01".getBytes(StandardCharsets.US_ASCII);
    static final byte[] MAILBOX_MAGIC = "VMHAMB01".getBytes(StandardCharsets.US_ASCII);
    /** Magic and version: the first 12 bytes of every block. */
    static final int PREAMBLE = 12;

    private HeartbeatFormat() {}

    // ---------------------------------------------------------------- layout

    public static long headerBlock() { return 0; }

    public static long slotBlock(int slot) { return 1 + 2L * slot; }

    public static long mailboxBlock(int slot) { return 2 + 2L * slot; }

    /** Bytes a device needs for {@code slots} slots. */
    public static long deviceBytes(int slots) { return BLOCK * (1 + 2L * slots); }

    /** How many slots fit in {@code bytes}, capped at {@link HeartbeatHeader#MAX_SLOTS}. */
    public static int slotsThatFit(long bytes) {
        return (int) Math.max(0, Math.min(HeartbeatHeader.MAX_SLOTS, (bytes / BLOCK - 1) / 2));
    }

    // ---------------------------------------------------------------- header

    public static byte[] encodeHeader(HeartbeatHeader h) {
        return new Blocks.Writer(HEADER_MAGIC).name(h.pool()).u16(h.slotCount()).i32(h.sectorSize())
                .i64(h.intervalMillis()).i64(h.timeoutMillis()).i64(h.createdWallMillis()).sealed();
    }

    public static Decoded<HeartbeatHeader> decodeHeader(byte[] block) {
        try {
            if (frame(block, HEADER_MAGIC, "header")) return Decoded.empty();
            Blocks.Reader r = preamble(block);
            String pool = r.name("pool name");
            int slots = r.u16("slot count");
            int sector = r.i32("sector size");
            long interval = r.i64("interval");
            long timeout = r.i64("timeout");
            long created = r.i64("creation time");
            r.requireZeroTail();
            String problem = HeartbeatHeader.problem(pool, slots, sector, interval, timeout, created);
            if (problem != null) return Decoded.corrupt(problem);
            return Decoded.valid(new HeartbeatHeader(pool, slots, sector, interval, timeout, created));
        } catch (Blocks.Corrupt e) {
            return Decoded.corrupt(e.getMessage());
        } catch (RuntimeException e) {
            return Decoded.corrupt(DECODER_FAULT + e);
        }
    }

    // ---------------------------------------------------------------- slot

    /** Encodes as many VM epochs as fit; the block says when the list was truncated. */
    public static byte[] encodeSlot(int index, HeartbeatSlot slot) { return SlotCodec.encode(index, slot); }

    /** @param expectedIndex the slot this block was read from; a block claiming another index is CORRUPT */
    public static Decoded<SlotBlock> decodeSlot(byte[] block, int expectedIndex) { return SlotCodec.decode(block, expectedIndex); }

    public static Decoded<SlotBlock> decodeSlot(ByteBuffer block, int expectedIndex) { return decodeSlot(bytes(block), expectedIndex); }

    // ---------------------------------------------------------------- mailbox

    public static byte[] encodeMailbox(MailboxMessage m) {
        return new Blocks.Writer(MAILBOX_MAGIC).u16(m.targetSlot()).u8(m.type().ordinal()).name(m.targetHost())
                .i64(m.targetIncarnation()).name(m.sender()).i64(m.sequence()).sealed();
    }

    public static Decoded<MailboxMessage> decodeMailbox(byte[] block, int expectedSlot) {
        try {
            if (frame(block, MAILBOX_MAGIC, "mailbox")) return Decoded.empty();
            Blocks.Reader r = preamble(block);
            int target = r.u16("target slot");
            if (target != expectedSlot) {
                return Decoded.corrupt("target slot " + target + " stored in the mailbox of slot " + expectedSlot);
            }
            int type = r.u8("message type");
            if (type >= MailboxMessage.Type.values().length) {
                return Decoded.corrupt("unknown message type " + type + " (0 NONE, 1 POISON)");
            }
            String targetHost = r.name("target host");
            long incarnation = r.i64("target incarnation");
            String sender = r.name("sender host");
            long sequence = r.i64("message sequence");
            r.requireZeroTail();
            MailboxMessage.Type t = MailboxMessage.Type.values()[type];
            String problem = MailboxMessage.problem(target, t, targetHost, incarnation, sender, sequence);
            if (problem != null) return Decoded.corrupt(problem);
            return Decoded.valid(new MailboxMessage(target, t, targetHost, incarnation, sender, sequence));
        } catch (Blocks.Corrupt e) {
            return Decoded.corrupt(e.getMessage());
        } catch (RuntimeException e) {
            return Decoded.corrupt(DECODER_FAULT + e);
        }
    }

    // ---------------------------------------------------------------- shared

    /** Prefix of a problem that means a decoder bug, not bad bytes; the fuzz test fails on it. */
    static final String DECODER_FAULT = "decoder fault: ";

    /** True if EMPTY; throws Corrupt on wrong length, magic or checksum. */
    static boolean frame(byte[] block, byte[] magic, String kind) throws Blocks.Corrupt {
        if (block == null) throw new Blocks.Corrupt("no " + kind + " block");
        if (block.length != BLOCK) {
            throw new Blocks.Corrupt(kind + " block is " + block.length + " bytes; expected " + BLOCK);
        }
        if (Blocks.allZero(block)) return true;
        Blocks.checkFrame(block, magic, kind);
        return false;
    }

    static Blocks.Reader preamble(byte[] block) throws Blocks.Corrupt {
        Blocks.Reader r = new Blocks.Reader(block, magicLength());
        int version = r.i32("format version");
        if (version != VERSION) throw new Blocks.Corrupt("format version " + version + " not supported (expected " + VERSION + ")");
        return r;
    }

    private static int magicLength() { return HEADER_MAGIC.length; }

    static byte[] bytes(ByteBuffer b) {
        if (b == null) return null;
        byte[] out = new byte[Math.min(b.remaining(), BLOCK + 1)]; // bounded: more than a block is wrong anyway
        b.duplicate().get(out);
        return out;
    }

    public static Decoded<HeartbeatHeader> decodeHeader(ByteBuffer block) { return decodeHeader(bytes(block)); }

    public static Decoded<MailboxMessage> decodeMailbox(ByteBuffer block, int expectedSlot) {
        return decodeMailbox(bytes(block), expectedSlot);
    }
}
