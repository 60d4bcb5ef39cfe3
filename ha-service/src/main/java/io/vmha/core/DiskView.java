package io.vmha.core;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The heartbeat disk as this host last read it.
 *
 * @param lastGoodRoundMillis monotonic start time of the newest round in which this host both wrote its
 *                            own slot and read every slot successfully; {@link io.vmha.core.port.Connection#NEVER} if none
 * @param slots               every named slot's reading, by host name
 * @param pill                a poison pill addressed to this host's incarnation, if its mailbox holds one
 * @param writeMicros         duration of the last own-slot write (storage health)
 */
public record DiskView(boolean configured, long lastGoodRoundMillis, SortedMap<String, SlotReading> slots,
                       Optional<PoisonPill> pill, long writeMicros) {
    public DiskView {
        slots = Collections.unmodifiableSortedMap(new TreeMap<>(slots));
        pill = pill == null ? Optional.empty() : pill;
    }

    /** A pool without a heartbeat disk: every rule falls back to the coordinator lease alone. */
    public static DiskView none() {
        return new DiskView(false, io.vmha.core.port.Connection.NEVER, new TreeMap<>(), Optional.empty(), 0);
    }

    /** True if some host other than {@code me} is live on disk and says it is connected to the coordinator. */
    public boolean othersConnected(String me) {
        return othersConnected(me, Long.MAX_VALUE);
    }

    /**
     * True if some host other than {@code me} is live on disk, says it is connected to the coordinator, and had
     * a coordinator round trip less than {@code freshMillis} before it wrote its slot. A client keeps saying
     * CONNECTED for its whole read timeout after its last contact, so a bare "CONNECTED" written just before a
     * pool-wide outage would otherwise read as "the others still have ZooKeeper".
     */
    public boolean othersConnected(String me, long freshMillis) {
        for (SlotReading r : slots.values()) {
            if (r.live() && !r.slot().host().equals(me) && r.slot().zkConnected()
                    && r.slot().msSinceZkContact() < freshMillis) return true;
        }
        return false;
    }
}
