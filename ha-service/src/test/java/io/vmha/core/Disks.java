package io.vmha.core;

import io.vmha.core.port.ConnectionState;

import java.util.Optional;
import java.util.TreeMap;

/** Hand-built heartbeat-disk views for the core's unit tests. */
final class Disks {
    private final TreeMap<String, SlotReading> slots = new TreeMap<>();
    private Optional<PoisonPill> pill = Optional.empty();

    /** A valid slot, live (advancing) unless {@code stale}. */
    Disks slot(String host, ConnectionState zk, long msSinceZkContact, FenceState fence, boolean stale) {
        HeartbeatSlot s = new HeartbeatSlot(host, 1, 42, zk, 7, msSinceZkContact, fence, new TreeMap<>());
        slots.put(host, new SlotReading(slots.size(), SlotReading.Status.VALID, s, stale, stale ? 5000 : 0, ""));
        return this;
    }

    Disks connected(String host) { return slot(host, ConnectionState.CONNECTED, 300, FenceState.NONE, false); }

    Disks corrupt(String host, boolean stale) {
        slots.put(host, new SlotReading(slots.size(), SlotReading.Status.CORRUPT, null, stale, stale ? 5000 : 200,
                "checksum mismatch"));
        return this;
    }

    Disks pill(PoisonPill p) {
        pill = Optional.of(p);
        return this;
    }

    DiskView read(long lastGoodRound) { return new DiskView(true, lastGoodRound, slots, pill, 100); }
}
