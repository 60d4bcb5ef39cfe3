package io.vmha.simulation;

import io.vmha.core.DiskView;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.PoisonPill;
import io.vmha.core.SlotLiveness;
import io.vmha.core.SlotReading;
import io.vmha.core.port.Connection;
import io.vmha.core.port.HeartbeatDisk;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One daemon incarnation's heartbeat thread on the shared {@link SimDisk}, as the core sees it. Every
 * disk interval {@link SimHost} runs one {@link #round()} (not while the daemon is paused, never after it
 * died): write the published slot (sequence + 1) and queued pills, clear an acknowledged pill, read every
 * slot and this host's mailbox, judge each slot with the core's {@link SlotLiveness} on this host's own
 * monotonic clock, and publish a {@link DiskView} whose {@code lastGoodRoundMillis} is the round's start.
 * A stalled or failing path makes the round do nothing at all: the view simply ages.
 */
final class SimHeartbeat implements HeartbeatDisk {
    private final String host;
    private final long incarnation;
    private final SimDisk disk;
    private final Scheduler scheduler;
    private final SimLog log;
    private final SlotLiveness liveness;
    private HeartbeatSlot published;
    private final List<PoisonPill> outgoing = new ArrayList<>();
    private PoisonPill acknowledged;
    private DiskView view = new DiskView(true, Connection.NEVER, new TreeMap<>(), Optional.empty(), 0);
    private SimDisk.PathState lastPath = SimDisk.PathState.OK;

    SimHeartbeat(String host, long incarnation, SimDisk disk, Scheduler scheduler, SimLog log, long diskTimeoutMillis) {
        this.host = host;
        this.incarnation = incarnation;
        this.disk = disk;
        this.scheduler = scheduler;
        this.log = log;
        this.liveness = new SlotLiveness(diskTimeoutMillis);
    }

    /** One heartbeat interval of I/O. */
    void round() {
        SimDisk.PathState path = disk.path(host);
        if (path != lastPath) {
            log.record(host, switch (path) {
                case OK -> "heartbeat disk: rounds complete again";
                case STALLED -> "heartbeat disk: round blocked (I/O stalled)";
                case FAILING -> "heartbeat disk: round failed (I/O error)";
            });
            lastPath = path;
        }
        if (path != SimDisk.PathState.OK) return;
        long now = scheduler.now();
        if (published != null) disk.write(published);
        for (PoisonPill pill : outgoing) disk.deliver(pill);
        outgoing.clear();
        if (acknowledged != null) disk.clear(host, acknowledged);
        SortedMap<String, SlotReading> readings = new TreeMap<>();
        List<String> names = disk.slotNames();
        for (int i = 0; i < names.size(); i++) {
            SimDisk.Written w = disk.read(names.get(i));
            SlotReading r;
            if (w == null) {
                r = liveness.observe(i, SlotReading.Status.EMPTY, null, "never written", now);
            } else if (w.torn()) {
                r = liveness.observe(i, SlotReading.Status.CORRUPT, null, "checksum mismatch (torn write)", now);
            } else {
                r = liveness.observe(i, SlotReading.Status.VALID, w.slot(), "", now);
            }
            readings.put(names.get(i), r);
        }
        PoisonPill pill = disk.mailbox(host);
        Optional<PoisonPill> mine = pill != null && pill.targetIncarnation() == incarnation && !pill.equals(acknowledged)
                ? Optional.of(pill) : Optional.empty();
        view = new DiskView(true, now, readings, mine, 150);
    }

    @Override
    public DiskView view() {
        if (view.pill().isPresent() && view.pill().get().equals(acknowledged)) {
            return new DiskView(true, view.lastGoodRoundMillis(), view.slots(), Optional.empty(), view.writeMicros());
        }
        return view;
    }

    @Override
    public void publish(HeartbeatSlot mine) { published = mine; }

    @Override
    public void acknowledgePill(PoisonPill pill) { acknowledged = pill; }

    @Override
    public void poison(PoisonPill pill) { outgoing.add(pill); }
}
