package io.vmha.heartbeat;

import io.vmha.core.FenceState;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import io.vmha.core.port.ConnectionState;

import java.util.Map;
import java.util.TreeMap;

/**
 * Slot blocks: magic, version, slot index, host, incarnation, sequence, ZooKeeper state, session id,
 * ms since ZooKeeper contact, fence state, truncated flag, VM count, then (name, epoch) pairs, CRC32C last.
 * Field validation is as strict as the checksum: a block that decodes VALID re-encodes to the same bytes.
 */
final class SlotCodec {
    private SlotCodec() {}

    static byte[] encode(int index, HeartbeatSlot slot) {
        if (index < 0 || index >= HeartbeatHeader.MAX_SLOTS) {
            throw new InvalidInputException("slot.index", index, "0 to " + (HeartbeatHeader.MAX_SLOTS - 1));
        }
        Blocks.Writer w = new Blocks.Writer(HeartbeatFormat.SLOT_MAGIC).u16(index).name(slot.host())
                .i64(checkNonNegative("slot.incarnation", slot.incarnation())).i64(slot.sequence())
                .u8(slot.zk().ordinal()).i64(slot.zkSessionId()).i64(slot.msSinceZkContact()).u8(slot.fence().ordinal());
        int flagAt = w.buf.position();
        w.u8(0).u16(0);
        int count = 0;
        boolean truncated = false;
        for (Map.Entry<String, Long> e : slot.epochs().entrySet()) {
            if (!Blocks.isName(e.getKey())) Names.check("slot.epochs vm", e.getKey());
            checkNonNegative("slot.epochs[" + e.getKey() + "]", e.getValue());
            if (w.buf.position() + 1 + e.getKey().length() + 8 > HeartbeatFormat.CRC_OFFSET || count == 0xffff) {
                truncated = true;
                break;
            }
            w.name(e.getKey()).i64(e.getValue());
            count++;
        }
        w.buf.put(flagAt, (byte) (truncated ? 1 : 0)).putShort(flagAt + 1, (short) count);
        return w.sealed();
    }

    private static long checkNonNegative(String field, Long v) {
        if (v == null || v < 0) throw new InvalidInputException(field, v, "0 or more");
        return v;
    }

    static Decoded<SlotBlock> decode(byte[] block, int expectedIndex) {
        try {
            if (HeartbeatFormat.frame(block, HeartbeatFormat.SLOT_MAGIC, "slot")) return Decoded.empty();
            Blocks.Reader r = HeartbeatFormat.preamble(block);
            int index = r.u16("slot index");
            if (index != expectedIndex) {
                return Decoded.corrupt("slot index " + index + " stored in block of slot " + expectedIndex);
            }
            String host = r.name("host name");
            String bad = nameProblem("host name", host);
            if (bad != null) return Decoded.corrupt(bad);
            long incarnation = nonNegative(r.i64("incarnation"), "incarnation");
            long sequence = nonNegative(r.i64("sequence"), "sequence");
            int zk = r.u8("zk state");
            if (zk >= ConnectionState.values().length) {
                return Decoded.corrupt("unknown zk state " + zk + " (0 CONNECTED, 1 SUSPENDED, 2 LOST)");
            }
            long session = r.i64("zk session id");
            long sinceZk = nonNegative(r.i64("ms since zk contact"), "ms since zk contact");
            int fence = r.u8("fence state");
            if (fence >= FenceState.values().length) {
                return Decoded.corrupt("unknown fence state " + fence + " (0 NONE, 1 FENCING, 2 FENCED)");
            }
            int truncated = r.u8("truncated flag");
            if (truncated > 1) return Decoded.corrupt("truncated flag " + truncated + " is neither 0 nor 1");
            int count = r.u16("vm count");
            TreeMap<String, Long> epochs = new TreeMap<>();
            String previous = null;
            for (int i = 0; i < count; i++) { // each entry is read from the block, so the count cannot overrun it
                String vm = r.name("vm name #" + i);
                bad = nameProblem("vm name #" + i, vm);
                if (bad != null) return Decoded.corrupt(bad);
                if (previous != null && previous.compareTo(vm) >= 0) {
                    return Decoded.corrupt("vm names out of order or repeated: \"" + previous + "\" then \"" + vm + "\"");
                }
                epochs.put(vm, nonNegative(r.i64("epoch of " + vm), "epoch of " + vm));
                previous = vm;
            }
            r.requireZeroTail();
            HeartbeatSlot slot = new HeartbeatSlot(host, incarnation, sequence, ConnectionState.values()[zk], session,
                    sinceZk, FenceState.values()[fence], epochs);
            return Decoded.valid(new SlotBlock(index, slot, truncated == 1));
        } catch (Blocks.Corrupt e) {
            return Decoded.corrupt(e.getMessage());
        } catch (RuntimeException e) {
            return Decoded.corrupt(HeartbeatFormat.DECODER_FAULT + e);
        }
    }

    private static long nonNegative(long v, String field) throws Blocks.Corrupt {
        if (v < 0) throw new Blocks.Corrupt(field + " " + v + " out of range (0 or more)");
        return v;
    }

    private static String nameProblem(String field, String name) {
        if (Blocks.isName(name)) return null;
        try {
            Names.check(field, name);
            return null;
        } catch (InvalidInputException e) {
            return field + " not valid: " + e.getMessage();
        }
    }
}
