package io.vmha.heartbeat;

import io.vmha.core.FenceState;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.port.ConnectionState;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeartbeatFormatTest {
    final Random rnd = new Random(7);

    @Test void roundTrips() {
        for (int n = 0; n < 200; n++) {
            HeartbeatSlot s = Samples.slot(rnd, rnd.nextInt(20));
            byte[] b = HeartbeatFormat.encodeSlot(n % 255, s);
            assertEquals(HeartbeatFormat.BLOCK, b.length);
            assertEquals(Decoded.valid(new SlotBlock(n % 255, s, false)), HeartbeatFormat.decodeSlot(b, n % 255));
            assertEquals(Decoded.valid(new SlotBlock(n % 255, s, false)), HeartbeatFormat.decodeSlot(ByteBuffer.wrap(b), n % 255));
            HeartbeatHeader h = Samples.header(rnd);
            assertEquals(Decoded.valid(h), HeartbeatFormat.decodeHeader(HeartbeatFormat.encodeHeader(h)));
            MailboxMessage m = Samples.pill(rnd, n % 255);
            assertEquals(Decoded.valid(m), HeartbeatFormat.decodeMailbox(HeartbeatFormat.encodeMailbox(m), n % 255));
        }
        MailboxMessage none = new MailboxMessage(3, MailboxMessage.Type.NONE, "", 0, "", 0);
        assertEquals(Decoded.valid(none), HeartbeatFormat.decodeMailbox(HeartbeatFormat.encodeMailbox(none), 3));
    }

    @Test void zerosAreEmpty() {
        byte[] zeros = new byte[HeartbeatFormat.BLOCK];
        assertTrue(HeartbeatFormat.decodeSlot(zeros, 0).isEmpty());
        assertTrue(HeartbeatFormat.decodeMailbox(zeros, 0).isEmpty());
        assertTrue(HeartbeatFormat.decodeHeader(zeros).isEmpty());
    }

    @Test void tooManyVmsAreTruncatedAndFlagged() {
        TreeMap<String, Long> epochs = new TreeMap<>();
        for (int i = 0; i < 200; i++) epochs.put(String.format("vm-with-a-rather-long-name-number-%05d", i), (long) i);
        HeartbeatSlot s = new HeartbeatSlot("h1", 1, 1, ConnectionState.CONNECTED, 9, 0, FenceState.NONE, epochs);
        Decoded<SlotBlock> d = HeartbeatFormat.decodeSlot(HeartbeatFormat.encodeSlot(0, s), 0);
        assertTrue(d.value().truncated());
        assertTrue(d.value().slot().epochs().size() > 50 && d.value().slot().epochs().size() < 200, d.toString());
        assertEquals(epochs.headMap(d.value().slot().epochs().lastKey(), true), d.value().slot().epochs());
    }

    @Test void everySingleBitFlipIsCorrupt() {
        byte[] good = HeartbeatFormat.encodeSlot(2, Samples.slot(rnd, 5));
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] b = good.clone();
            b[bit / 8] ^= (byte) (1 << (bit % 8));
            Decoded<SlotBlock> d = HeartbeatFormat.decodeSlot(b, 2);
            assertTrue(d.isCorrupt(), "bit " + bit + ": " + d);
            assertFalse(d.problem().isEmpty());
        }
    }

    @Test void tornWriteIsCorrupt() {
        HeartbeatSlot old = Samples.slot(rnd, 40);
        HeartbeatSlot next = new HeartbeatSlot(old.host(), old.incarnation(), old.sequence() + 1, old.zk(), old.zkSessionId(),
                old.msSinceZkContact() + 1, old.fence(), old.epochs());
        byte[] before = HeartbeatFormat.encodeSlot(1, old);
        byte[] after = HeartbeatFormat.encodeSlot(1, next);
        for (int cut : new int[] {512, 1024, 2048, 4095 - 512}) {
            byte[] torn = before.clone();
            System.arraycopy(after, 0, torn, 0, cut);
            Decoded<SlotBlock> d = HeartbeatFormat.decodeSlot(torn, 1);
            assertEquals("checksum mismatch (torn or corrupt write)", d.problem(), "cut at " + cut);
        }
    }

    @Test void fieldsAreValidatedBehindAValidChecksum() {
        HeartbeatSlot s = new HeartbeatSlot("h1", 1, 5, ConnectionState.CONNECTED, 9, 0, FenceState.NONE, new TreeMap<>(Map.of("vm1", 3L)));
        byte[] b = HeartbeatFormat.encodeSlot(2, s);
        assertEquals("slot index 2 stored in block of slot 3", HeartbeatFormat.decodeSlot(b, 3).problem());
        // Layout: magic 8, version 4, index 2, host len 1 + 2, incarnation 8, sequence 8, zk 1, session 8, since 8, fence 1.
        int fenceAt = 8 + 4 + 2 + 3 + 8 + 8 + 1 + 8 + 8;
        assertEquals("unknown fence state 7 (0 NONE, 1 FENCING, 2 FENCED)", patched(b, fenceAt, 7, 2));
        assertTrue(patched(b, 15, '/', 2).startsWith("host name not valid"), patched(b, 15, '/', 2));
        assertTrue(patched(b, 14, 64, 2).contains("host name length 64 out of range"));
        assertTrue(patched(b, 8 + 4 + 2 + 3 + 8 + 8, 3, 2).startsWith("unknown zk state 3"));
        assertTrue(patched(b, 8, 2, 2).startsWith("format version"), patched(b, 8, 2, 2));
        assertTrue(patched(b, 100, 1, 2).startsWith("non-zero byte at offset 100"));
        assertTrue(patched(b, fenceAt + 3, 200, 2).contains("runs past the end") || patched(b, fenceAt + 3, 200, 2).contains("vm name"));
        b[0] = 'X';
        assertEquals("bad magic: not a vmha slot block", HeartbeatFormat.decodeSlot(b, 2).problem());
        assertTrue(HeartbeatFormat.decodeSlot(new byte[10], 0).problem().contains("10 bytes"));
        assertTrue(HeartbeatFormat.decodeSlot((byte[]) null, 0).isCorrupt());
    }

    /** Sets one byte, re-seals the block (so the checksum passes) and returns the decoder's problem. */
    static String patched(byte[] good, int offset, int value, int slot) {
        byte[] b = good.clone();
        b[offset] = (byte) value;
        Blocks.seal(b);
        return HeartbeatFormat.decodeSlot(b, slot).problem();
    }

    @Test void fastNameCheckAgreesWithNames() {
        String chars = "aZ09._-/ \u00e9";
        for (int n = 0; n < 20_000; n++) {
            StringBuilder b = new StringBuilder();
            int len = rnd.nextInt(66);
            for (int i = 0; i < len; i++) b.append(chars.charAt(rnd.nextInt(chars.length())));
            boolean names;
            try {
                io.vmha.core.Names.check("x", b.toString());
                names = true;
            } catch (io.vmha.core.InvalidInputException e) {
                names = false;
            }
            assertEquals(names, Blocks.isName(b.toString()), b.toString());
        }
    }

    @Test void encodingIsStable() {
        HeartbeatSlot s = new HeartbeatSlot("h1", 1, 5, ConnectionState.CONNECTED, 9, 0, FenceState.NONE, new TreeMap<>(Map.of("vm1", 3L)));
        assertArrayEquals(HeartbeatFormat.encodeSlot(0, s), HeartbeatFormat.encodeSlot(0, s));
        assertEquals(4096 * 11, HeartbeatFormat.deviceBytes(5));
        assertEquals(5, HeartbeatFormat.slotsThatFit(4096 * 11 + 100));
    }
}
