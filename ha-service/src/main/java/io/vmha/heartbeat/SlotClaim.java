package io.vmha.heartbeat;

import io.vmha.core.FenceState;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.InvalidInputException;
import io.vmha.core.port.ConnectionState;
import io.vmha.core.port.Journal;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds this host's slot: the one already carrying its name (a restart takes it over), else the first EMPTY
 * one, claimed by writing it and re-reading after one interval.
 *
 * <p>The race: two hosts may read the same slot EMPTY and both write it; the later write wins, and the earlier
 * host sees the other's name on re-reading and tries the next slot. That only fails if a claimer stalls for
 * more than an interval between its read and its write, so the agent serialises claims across hosts with a
 * Curator InterProcessMutex ({@link DiskHeartbeat.ClaimGuard}); each round also checks its own slot, so a lost
 * race is reported, never silent. CORRUPT slots are never claimed: they may belong to a live host whose write tore.
 */
final class SlotClaim {
    private final HeartbeatDevice device;
    private final int slotCount;
    private final String me;
    private final long incarnation;
    private final long intervalMillis;
    private final Journal journal;

    SlotClaim(HeartbeatDevice device, int slotCount, String me, long incarnation, long intervalMillis, Journal journal) {
        this.device = device;
        this.slotCount = slotCount;
        this.me = me;
        this.incarnation = incarnation;
        this.intervalMillis = intervalMillis;
        this.journal = journal;
    }

    int claim() throws IOException, InterruptedException {
        Set<Integer> lost = new HashSet<>();
        while (true) {
            int free = -1;
            for (int i = 0; i < slotCount; i++) {
                Decoded<SlotBlock> s = read(i);
                if (s.isValid() && s.value().slot().host().equals(me)) return takeOver(i, s.value().slot());
                if (s.isEmpty() && free < 0 && !lost.contains(i)) free = i;
            }
            if (free < 0) {
                throw new InvalidInputException("heartbeat.slots", slotCount, "a free slot for host " + me + " on "
                        + device.path() + "; every slot holds another host or is corrupt (see `vmha heartbeat dump`)");
            }
            write(free);
            Thread.sleep(intervalMillis);
            Decoded<SlotBlock> after = read(free);
            if (after.isValid() && after.value().slot().host().equals(me) && after.value().slot().incarnation() == incarnation) {
                journal.record(me, "heartbeat: claimed empty slot " + free);
                return free;
            }
            journal.record(me, "heartbeat: slot " + free + " was claimed by another host at the same time (" + after
                    + "); trying the next one");
            lost.add(free);
        }
    }

    /** Our name is already there: refuse if it is still advancing, which means a second daemon with our name. */
    private int takeOver(int index, HeartbeatSlot old) throws IOException, InterruptedException {
        if (old.incarnation() != incarnation) {
            Thread.sleep(intervalMillis + intervalMillis / 2);
            Decoded<SlotBlock> again = read(index);
            if (again.isValid() && again.value().slot().host().equals(me)
                    && (again.value().slot().sequence() != old.sequence() || again.value().slot().incarnation() != old.incarnation())) {
                throw new InvalidInputException("host.name", me, "a host name no running daemon uses; slot " + index + " of "
                        + device.path() + " is being written by incarnation " + again.value().slot().incarnation() + " right now");
            }
        }
        write(index);
        journal.record(me, "heartbeat: taking over slot " + index + " (incarnation " + old.incarnation() + " => " + incarnation + ")");
        return index;
    }

    private void write(int index) throws IOException {
        HeartbeatSlot first = new HeartbeatSlot(me, incarnation, 0, ConnectionState.LOST, 0, 0, FenceState.NONE, null);
        device.writeBlock(HeartbeatFormat.slotBlock(index), HeartbeatFormat.encodeSlot(index, first));
    }

    private Decoded<SlotBlock> read(int index) throws IOException {
        return HeartbeatFormat.decodeSlot(device.readBlock(HeartbeatFormat.slotBlock(index)), index);
    }
}
