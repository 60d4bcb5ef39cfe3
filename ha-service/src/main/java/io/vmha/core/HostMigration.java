package io.vmha.core;

import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.LocalVm;
import io.vmha.core.port.OutgoingVm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A host's part in live migrations, as a pure function of the owner records and its driver's incoming and
 * outgoing migrations. The epoch rules that keep a VM from running twice:
 * <ul>
 * <li>a target prepares a <em>paused</em> copy while the record is MIGRATING to it, and runs it only once the
 *     record commits that migration to it (STARTING, this host, next epoch), checked on a fresh read;</li>
 * <li>a source whose stream completed keeps its copy paused; it runs it again only if the record went back to
 *     RUNNING on it at the same epoch (the move was aborted), again checked on a fresh read; if the move
 *     committed, its copy holds an old epoch and {@link HostLogic} stops it like any stale instance.</li>
 * </ul>
 * Only an ACTIVE host acts; a frozen or fenced one touches nothing (its paused copies cannot run).
 */
final class HostMigration {
    /** Progress is published in steps of this many bytes, so a stream does not rewrite the host record every step. */
    static final long PROGRESS_STEP_BYTES = 4L << 20;

    private HostMigration() {}

    static void plan(HostLogic.Input in, List<HostAction> actions) {
        target(in, actions);
        source(in, actions);
    }

    private static void target(HostLogic.Input in, List<HostAction> actions) {
        String me = in.self().name();
        for (IncomingVm inc : in.incoming().values()) {
            Versioned<Ownership> vo = in.view().owners().get(inc.vm());
            Ownership o = vo == null ? null : vo.value();
            boolean migratingHere = o != null && o.state() == VmState.MIGRATING && o.migration().target().equals(me)
                    && o.migration().id().equals(inc.migrationId());
            boolean committedHere = o != null && o.ownedBy(me) && o.commits(inc.migrationId()) && o.epoch() == inc.epoch();
            if (committedHere && inc.phase() == IncomingVm.Phase.LOADED) {
                actions.add(new HostAction.Activate(inc.vm(), o.epoch(), inc.migrationId()));
            } else if (committedHere) {
                // Committed, but this copy will never run: it failed, or it is a fresh one that a stale view had this
                // host prepare after the commit (nobody streams any more). Discard it; the record (STARTING here) then
                // makes this host start the VM afresh, as after any restart.
                actions.add(new HostAction.DiscardIncoming(inc.vm(), inc.migrationId(), "received copy is " + inc.phase()
                        + (inc.detail().isEmpty() ? "" : " (" + inc.detail() + ")") + "; starting the VM afresh"));
            } else if (!migratingHere && !committedHere) {
                actions.add(new HostAction.DiscardIncoming(inc.vm(), inc.migrationId(), o == null ? "no ownership record"
                        : "the record no longer moves it here (" + o.state() + " on " + (o.host().isEmpty() ? "no host" : o.host())
                        + " at epoch " + o.epoch() + ")"));
            }
            // migrating here and WAITING/LOADED/FAILED: the master reads our status and commits or aborts.
        }
        for (Map.Entry<String, Versioned<Ownership>> e : in.view().owners().entrySet()) {
            Ownership o = e.getValue().value();
            if (o.state() != VmState.MIGRATING || !o.migration().target().equals(me) || o.ownedBy(me)) continue;
            if (in.incoming().containsKey(o.vm()) || in.local().containsKey(o.vm())) continue;
            VmSpec spec = in.view().vms().get(o.vm());
            if (spec != null) actions.add(new HostAction.PrepareIncoming(spec, o.epoch() + 1, o.migration(), o.host()));
        }
    }

    private static void source(HostLogic.Input in, List<HostAction> actions) {
        String me = in.self().name();
        for (OutgoingVm out : in.outgoing().values()) {
            Versioned<Ownership> vo = in.view().owners().get(out.vm());
            Ownership o = vo == null ? null : vo.value();
            boolean current = o != null && o.state() == VmState.MIGRATING && o.ownedBy(me)
                    && o.migration().id().equals(out.migrationId());
            if (current) continue; // the master reads our status and commits or aborts
            switch (out.phase()) {
                case SENDING -> actions.add(new HostAction.CancelOutgoing(out.vm(), out.migrationId(), o == null
                        ? "no ownership record" : "the move is off (" + o.state() + " on " + o.host() + ")"));
                case COMPLETED -> {
                    LocalVm inst = in.local().get(out.vm());
                    if (o != null && o.ownedBy(me) && o.state() == VmState.RUNNING && inst != null && inst.running()
                            && inst.epoch() == o.epoch()) {
                        actions.add(new HostAction.ResumeAfterMigration(out.vm(), o.epoch(), out.migrationId()));
                    }
                    else if (inst == null || !inst.running()) actions.add(new HostAction.ClearOutgoing(out.vm(), out.migrationId()));
                    // Otherwise the move committed: our paused copy holds an old epoch and is stopped as stale.
                }
                default -> actions.add(new HostAction.ClearOutgoing(out.vm(), out.migrationId()));
            }
        }
        for (Map.Entry<String, Versioned<Ownership>> e : in.view().owners().entrySet()) {
            Ownership o = e.getValue().value();
            if (o.state() != VmState.MIGRATING || !o.ownedBy(me) || in.outgoing().containsKey(o.vm())) continue;
            LocalVm inst = in.local().get(o.vm());
            if (inst == null || !inst.running() || inst.epoch() != o.epoch()) continue;
            HostRecord target = in.view().members().get(o.migration().target());
            if (target == null || !target.migrates()) continue; // the master aborts
            boolean ready = target.migration(o.vm(), o.migration().id(), MigrationStatus.TARGET)
                    .map(s -> s.phase().equals(IncomingVm.Phase.WAITING.name())).orElse(false);
            if (ready) actions.add(new HostAction.StartOutgoing(o.vm(), o.epoch(), o.migration(), target.tunnelAddress()));
        }
    }

    /** What this host publishes about its migrations: both roles, progress rounded to {@link #PROGRESS_STEP_BYTES}. */
    static List<MigrationStatus> statuses(HostLogic.Input in) {
        List<MigrationStatus> out = new ArrayList<>();
        for (IncomingVm inc : in.incoming().values()) {
            out.add(new MigrationStatus(inc.vm(), inc.migrationId(), MigrationStatus.TARGET, inc.phase().name(), 0, 0, inc.detail()));
        }
        for (OutgoingVm o : in.outgoing().values()) {
            long sent = o.phase() == OutgoingVm.Phase.COMPLETED ? o.totalBytes()
                    : o.transferredBytes() / PROGRESS_STEP_BYTES * PROGRESS_STEP_BYTES;
            out.add(new MigrationStatus(o.vm(), o.migrationId(), MigrationStatus.SOURCE, o.phase().name(), sent,
                    o.totalBytes(), o.detail()));
        }
        return out;
    }
}
