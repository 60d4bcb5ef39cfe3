package io.vmha.simulation;

import io.vmha.core.HeartbeatSlot;
import io.vmha.core.PoisonPill;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The shared heartbeat disk, in memory: one slot and one mailbox per host (slot index = the host's position
 * in the cluster file), the sequence counters, and the storage faults of each host's path to it.
 * <ul>
 * <li>{@code disk-stall HOST|all}: that host's rounds block (no write, no read; its view ages);</li>
 * <li>{@code disk-error HOST}: its rounds fail fast (same effect on what it sees, logged as I/O errors);</li>
 * <li>{@code disk-ok HOST|all}: both cleared;</li>
 * <li>{@code torn-slot HOST}: its next write lands half-written: CORRUPT for every reader until the next one.</li>
 * </ul>
 * The heartbeat writers ({@link SimHeartbeat}) do the I/O; this class only holds what is on the platter.
 */
final class SimDisk {
    enum PathState { OK, STALLED, FAILING }

    /** What is on the platter in one slot: the last write, and whether it landed torn. */
    record Written(HeartbeatSlot slot, boolean torn) {}

    private final List<String> slotNames;
    private final SimLog log;
    private final SortedMap<String, Written> slots = new TreeMap<>();
    private final SortedMap<String, Long> sequences = new TreeMap<>();
    private final SortedMap<String, PoisonPill> mailboxes = new TreeMap<>();
    private final SortedMap<String, PathState> paths = new TreeMap<>();
    private final java.util.Set<String> tornNext = new java.util.TreeSet<>();

    SimDisk(List<String> slotNames, SimLog log) {
        this.slotNames = List.copyOf(slotNames);
        this.log = log;
        for (String h : slotNames) paths.put(h, PathState.OK);
    }

    List<String> slotNames() { return slotNames; }

    PathState path(String host) { return paths.getOrDefault(host, PathState.OK); }

    /** Apply a disk fault command to one host, or to every host with {@code all}. */
    void fault(String verb, String target) {
        List<String> who = target.equals("all") ? new ArrayList<>(slotNames) : List.of(check(target));
        for (String h : who) {
            switch (verb) {
                case "disk-stall" -> paths.put(h, PathState.STALLED);
                case "disk-error" -> paths.put(h, PathState.FAILING);
                case "disk-ok" -> paths.put(h, PathState.OK);
                case "torn-slot" -> tornNext.add(h);
                default -> throw new IllegalArgumentException("not a disk fault: " + verb);
            }
        }
    }

    private String check(String host) {
        if (!slotNames.contains(host)) throw new IllegalArgumentException("no heartbeat slot for host " + host + " in " + slotNames);
        return host;
    }

    /** Write {@code host}'s slot with the next sequence number; returns the slot as written. */
    HeartbeatSlot write(HeartbeatSlot published) {
        String host = published.host();
        long seq = sequences.merge(host, 1L, Long::sum);
        HeartbeatSlot slot = new HeartbeatSlot(host, published.incarnation(), seq, published.zk(), published.zkSessionId(),
                published.msSinceZkContact(), published.fence(), published.epochs());
        boolean torn = tornNext.remove(host);
        slots.put(host, new Written(slot, torn));
        if (torn) log.record("disk", "slot of " + host + " written torn (sequence " + seq + "): corrupt until its next write");
        return slot;
    }

    Written read(String host) { return slots.get(host); }

    void deliver(PoisonPill pill) {
        if (slotNames.contains(pill.target())) mailboxes.put(pill.target(), pill);
    }

    PoisonPill mailbox(String host) { return mailboxes.get(host); }

    /** Clear the mailbox of {@code host} if it still holds {@code pill} (a newer pill stays). */
    void clear(String host, PoisonPill pill) { mailboxes.remove(host, pill); }

    Map<String, Written> slots() { return slots; }
}
