package io.vmha.core;

import java.util.HashMap;
import java.util.Map;

/**
 * Judges slot staleness the way DESIGN.md demands: by the writer's sequence not advancing for the disk
 * timeout, measured on the reader's own monotonic clock — never by comparing clocks across hosts.
 * A new incarnation of a host counts as an advance.
 */
public final class SlotLiveness {
    private record Seen(long incarnation, long sequence, long changedAt) {}

    private final long timeoutMillis;
    private final Map<Integer, Seen> seen = new HashMap<>();

    public SlotLiveness(long timeoutMillis) { this.timeoutMillis = timeoutMillis; }

    /** Judge a slot just read at {@code nowMono}; {@code slot} null means empty or corrupt. */
    public SlotReading observe(int index, SlotReading.Status status, HeartbeatSlot slot, String problem, long nowMono) {
        if (status != SlotReading.Status.VALID) {
            // Empty or corrupt (a torn write is rewritten on the next interval): proof of nothing, so stale
            // only once no valid advance was seen for a whole timeout, counted from the first such reading.
            Seen last = seen.computeIfAbsent(index, i -> new Seen(-1, -1, nowMono));
            long unchanged = nowMono - last.changedAt();
            return new SlotReading(index, status, null, unchanged >= timeoutMillis, unchanged, problem == null ? "" : problem);
        }
        Seen last = seen.get(index);
        if (last == null || last.incarnation() != slot.incarnation() || last.sequence() != slot.sequence()) {
            // First sight counts as "changed now": a reader that just started must wait a full timeout
            // before it may call a slot stale, or a restarted master would declare everybody dead at once.
            last = new Seen(slot.incarnation(), slot.sequence(), nowMono);
            seen.put(index, last);
        }
        long unchanged = nowMono - last.changedAt();
        return new SlotReading(index, status, slot, unchanged >= timeoutMillis, unchanged, "");
    }
}
