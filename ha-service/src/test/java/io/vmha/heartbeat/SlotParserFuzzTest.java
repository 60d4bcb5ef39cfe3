package io.vmha.heartbeat;

import io.vmha.core.SlotReading;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Feeds random and mutated byte strings to the three decoders. Every input must give VALID, EMPTY or CORRUPT
 * with a problem, never an exception; a VALID slot must re-encode to the same slot. Half the mutants get their
 * checksum recomputed, so the field validation behind the CRC is exercised, not only the CRC.
 *
 * <p>{@code -Dvmha.fuzz.count=1000000} is the benchmark; {@code -Dvmha.fuzz.seed=S} replays a run.
 */
class SlotParserFuzzTest {
    @Test void everyInputGetsATypedResult() {
        int count = Integer.getInteger("vmha.fuzz.count", 100_000);
        long seed = Long.getLong("vmha.fuzz.seed", System.nanoTime());
        System.out.println("SlotParserFuzzTest: seed " + seed + " (replay with -Dvmha.fuzz.seed=" + seed + "), " + count + " inputs");
        Random rnd = new Random(seed);
        int[] outcomes = new int[3];
        long start = System.nanoTime();
        for (int n = 0; n < count; n++) {
            int slot = rnd.nextInt(255);
            byte[] input = input(rnd, slot, n);
            try {
                Decoded<SlotBlock> s = HeartbeatFormat.decodeSlot(input, slot);
                check(s, input, seed, n);
                outcomes[s.status().ordinal()]++;
                if (s.isValid()) {
                    Decoded<SlotBlock> again = HeartbeatFormat.decodeSlot(HeartbeatFormat.encodeSlot(slot, s.value().slot()), slot);
                    assertEquals(s.value().slot(), again.value().slot(), "seed " + seed + " input " + n);
                    if (!s.value().truncated()) {
                        assertArrayEquals(input, HeartbeatFormat.encodeSlot(slot, s.value().slot()), "seed " + seed + " input " + n);
                    }
                }
                Decoded<MailboxMessage> m = HeartbeatFormat.decodeMailbox(input, slot);
                check(m, input, seed, n);
                if (m.isValid()) assertArrayEquals(input, HeartbeatFormat.encodeMailbox(m.value()), "seed " + seed + " input " + n);
                Decoded<HeartbeatHeader> h = HeartbeatFormat.decodeHeader(input);
                check(h, input, seed, n);
                if (h.isValid()) assertArrayEquals(input, HeartbeatFormat.encodeHeader(h.value()), "seed " + seed + " input " + n);
            } catch (RuntimeException e) {
                fail("seed " + seed + " input " + n + ": a decoder threw " + e, e);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("SlotParserFuzzTest: %d inputs in %.2f s, %.0f inputs/s (3 decoders each); slots valid %d, empty %d, corrupt %d%n",
                count, seconds, count / seconds, outcomes[0], outcomes[1], outcomes[2]);
        assertTrue(outcomes[0] > count / 20, "too few valid slots: the mutants do not reach the field checks");
        assertTrue(outcomes[2] > count / 4);
    }

    private static void check(Decoded<?> d, byte[] input, long seed, int n) {
        if (d.status() == SlotReading.Status.CORRUPT) {
            assertFalse(d.problem().isBlank(), "seed " + seed + " input " + n + ": corrupt without a problem");
            assertFalse(d.problem().startsWith(HeartbeatFormat.DECODER_FAULT), "seed " + seed + " input " + n + ": " + d.problem());
        }
        if (d.isEmpty()) assertTrue(Blocks.allZero(input));
    }

    /** One input: random bytes, or a valid block of any kind with flips, truncation, extension or patched fields. */
    private static byte[] input(Random rnd, int slot, int n) {
        int kind = n % 8;
        if (kind == 0) {
            byte[] b = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(2 * HeartbeatFormat.BLOCK) : HeartbeatFormat.BLOCK];
            rnd.nextBytes(b);
            return b;
        }
        byte[] b;
        int pick = rnd.nextInt(10);
        if (pick < 7) b = HeartbeatFormat.encodeSlot(rnd.nextInt(10) == 0 ? rnd.nextInt(255) : slot, Samples.slot(rnd, rnd.nextInt(8) == 0 ? rnd.nextInt(60) : rnd.nextInt(4)));
        else if (pick < 9) b = HeartbeatFormat.encodeMailbox(Samples.pill(rnd, slot));
        else b = HeartbeatFormat.encodeHeader(Samples.header(rnd));
        switch (kind) {
            case 1: return b; // pristine: must be VALID for its own decoder
            case 2: flip(rnd, b, 1 + rnd.nextInt(8)); return b;
            case 3: return Arrays.copyOf(b, rnd.nextInt(HeartbeatFormat.BLOCK));
            case 4: {
                byte[] longer = Arrays.copyOf(b, HeartbeatFormat.BLOCK + 1 + rnd.nextInt(600));
                for (int i = HeartbeatFormat.BLOCK; i < longer.length; i++) longer[i] = (byte) rnd.nextInt();
                return longer;
            }
            default: {
                // Structure-aware: poke bytes in the field area (lengths, counts, enums, names) and re-seal.
                int pokes = 1 + rnd.nextInt(3);
                for (int i = 0; i < pokes; i++) {
                    int at = 8 + rnd.nextInt(kind == 7 ? 200 : 60);
                    b[at] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt(256) : rnd.nextInt(4) == 0 ? 0 : b[at] + rnd.nextInt(5) - 2);
                }
                if (rnd.nextInt(8) == 0) b[rnd.nextInt(HeartbeatFormat.CRC_OFFSET)] = (byte) rnd.nextInt(); // tail garbage
                Blocks.seal(b);
                return b;
            }
        }
    }

    private static void flip(Random rnd, byte[] b, int bits) {
        for (int i = 0; i < bits; i++) {
            int bit = rnd.nextInt(b.length * 8);
            b[bit / 8] ^= (byte) (1 << (bit % 8));
        }
    }
}
