package io.vmha.core;

import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.Journal;
import io.vmha.core.port.OutgoingVm;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The master's half of live migration: it starts moves (operator requests, evacuations), and ends each one by a
 * compare-and-set on the owner record: commit (the target owns the VM at the next epoch) only when the source says
 * the stream COMPLETED and the target says its copy is LOADED; abort (RUNNING on the source, same epoch) on any
 * failure, a lost target, a cancel or the timeout. The two writes exclude each other on the record's version, and
 * neither end runs a copy without a fresh read of the winner, so the VM never runs twice. Its only memory is
 * when it first saw each migration (for the timeout): a new master starts that clock afresh, later, never earlier.
 */
final class MasterMigration {
    private final MigrationPolicy policy;
    private final Supplier<String> secrets;
    private final Journal journal;
    /** Monotonic time this master first saw each migration id in flight. */
    private final SortedMap<String, Long> seen = new TreeMap<>();
    private final SortedMap<String, String> notes = new TreeMap<>();
    /** Migrations per host (source or target) in this plan, against {@link MigrationPolicy#maxPerHost()}. */
    private final SortedMap<String, Integer> busy = new TreeMap<>();

    MasterMigration(MigrationPolicy policy, Supplier<String> secrets, Journal journal) {
        this.policy = policy;
        this.secrets = secrets;
        this.journal = journal;
    }

    /** Monotonic time this master first saw migration {@code id}, or -1. */
    long firstSeen(String id) { return seen.getOrDefault(id, -1L); }

    void reset() {
        seen.clear();
        notes.clear();
    }

    /** Count the migrations in flight (call before planning any record). */
    void begin(PoolView view) {
        busy.clear();
        Set<String> ids = new TreeSet<>();
        for (Versioned<Ownership> v : view.owners().values()) {
            Ownership o = v.value();
            if (o.state() != VmState.MIGRATING) continue;
            busy.merge(o.host(), 1, Integer::sum);
            busy.merge(o.migration().target(), 1, Integer::sum);
            ids.add(o.migration().id());
        }
        seen.keySet().retainAll(ids);
        notes.keySet().retainAll(view.vms().keySet());
    }

    /** True when both hosts may take one more migration now. */
    boolean hasRoom(String source, String target) {
        return busy.getOrDefault(source, 0) < policy.maxPerHost() && busy.getOrDefault(target, 0) < policy.maxPerHost();
    }

    /** Start moving {@code o} (RUNNING on a live host) to {@code target}; the caller checked room and placement. */
    MasterAction start(Ownership o, int version, String target, String id, long bandwidth, long downtime, String why) {
        busy.merge(o.host(), 1, Integer::sum);
        busy.merge(target, 1, Integer::sum);
        MigrationPlan plan = new MigrationPlan(id, target, secrets.get(),
                bandwidth > 0 ? bandwidth : policy.bandwidthBytesPerSecond(),
                downtime > 0 ? downtime : policy.maxDowntimeMillis(), why);
        Ownership next = o.migrating(plan);
        return new MasterAction.WriteOwner(next, version, next.reason());
    }

    /** A fresh id for a move the master starts itself (an evacuation): unique per VM and epoch. */
    static String idFor(Ownership o, long nowWall) {
        return "m-" + o.vm() + "-" + o.epoch() + "-" + Long.toString(nowWall, 36);
    }

    /**
     * A MIGRATING record whose source is a live member: commit, abort, or wait. {@code cancel} is the operator's
     * cancel request, if any.
     */
    void planMigrating(PoolView view, Ownership o, int version, boolean cancel, long nowMono, List<MasterAction> actions) {
        MigrationPlan m = o.migration();
        long first = seen.computeIfAbsent(m.id(), k -> nowMono);
        HostRecord source = view.members().get(o.host());
        HostRecord target = view.members().get(m.target());
        String abort = null;
        if (cancel) {
            abort = "cancelled by an operator";
        } else if (target == null) {
            abort = "target " + m.target() + " left the pool";
        } else if (!target.migrates()) {
            abort = "target " + m.target() + " no longer receives migrations";
        } else {
            MigrationStatus in = target.migration(o.vm(), m.id(), MigrationStatus.TARGET).orElse(null);
            MigrationStatus out = source == null ? null : source.migration(o.vm(), m.id(), MigrationStatus.SOURCE).orElse(null);
            if (in != null && in.phase().equals(IncomingVm.Phase.FAILED.name())) {
                abort = "target " + m.target() + " failed: " + in.detail();
            } else if (out != null && (out.phase().equals(OutgoingVm.Phase.FAILED.name())
                    || out.phase().equals(OutgoingVm.Phase.CANCELLED.name()))) {
                abort = "source " + o.host() + " " + out.phase().toLowerCase() + ": " + out.detail();
            } else if (out != null && out.phase().equals(OutgoingVm.Phase.COMPLETED.name())
                    && in != null && in.phase().equals(IncomingVm.Phase.LOADED.name())) {
                commit(o, version, "the stream completed and " + m.target() + " holds the copy", actions);
                return;
            } else if (nowMono - first >= policy.timeoutMillis()) {
                abort = "not complete within " + policy.timeoutMillis() + " ms (source "
                        + (out == null ? "not sending" : out.phase()) + ", target " + (in == null ? "not ready" : in.phase()) + ")";
            }
        }
        if (abort != null) {
            Ownership next = o.migrationAborted(abort);
            actions.add(new MasterAction.WriteOwner(next, version, next.reason()));
        }
    }

    /**
     * The source of a MIGRATING record left the pool and may now be treated as dead (fenced or stale): if the
     * target holds the complete copy, commit to it (the VM keeps its memory); otherwise the caller restarts it cold.
     */
    boolean commitAfterSourceLost(PoolView view, Ownership o, int version, List<MasterAction> actions) {
        HostRecord target = view.members().get(o.migration().target());
        boolean loaded = target != null && target.acceptsVms() && target.migration(o.vm(), o.migration().id(), MigrationStatus.TARGET)
                .map(s -> s.phase().equals(IncomingVm.Phase.LOADED.name())).orElse(false);
        if (!loaded) return false;
        commit(o, version, "source " + o.host() + " lost after the stream completed; " + o.migration().target() + " holds the copy", actions);
        return true;
    }

    private void commit(Ownership o, int version, String why, List<MasterAction> actions) {
        Ownership next = o.migrationCommitted(why);
        actions.add(new MasterAction.WriteOwner(next, version, next.reason()));
    }

    /** Say why a requested or wanted move waits, once per change of reason. */
    void note(String vm, String why) {
        if (!why.equals(notes.put(vm, why))) journal.record("master", "vm " + vm + " migration waits: " + why);
    }

    void clearNote(String vm) { notes.remove(vm); }

    Map<String, Integer> busy() { return busy; }
}
