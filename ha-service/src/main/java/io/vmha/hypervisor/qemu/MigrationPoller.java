package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.OutgoingVm;

import java.util.ArrayList;
import java.util.List;

/**
 * Every {@link QemuMigration#POLL_MILLIS} (and at once on a MIGRATION event): reads {@code query-migrate} and
 * {@code query-status} of every instance with a migration under way and updates its record. A target becomes
 * LOADED only when qemu says the stream completed and the guest is paused; a source COMPLETED only when paused.
 * Errors are left to the exit watching: a qemu that does not answer is either dead (reported) or busy (next poll).
 */
final class MigrationPoller implements Runnable {
    private static final long QMP_TIMEOUT_MILLIS = QemuHost.QMP_TIMEOUT_MILLIS;

    private final QemuHost host;
    private final QemuWatcher watcher;

    MigrationPoller(QemuHost host, QemuWatcher watcher) {
        this.host = host;
        this.watcher = watcher;
    }

    @Override
    public void run() {
        List<QemuInstance> targets = new ArrayList<>();
        List<QemuInstance> sources = new ArrayList<>();
        synchronized (host.lock) {
            if (host.closed) return;
            for (QemuInstance i : host.instances.values()) {
                if (i.gone || i.stopping) continue;
                if (i.incoming != null && i.incoming.phase() == IncomingVm.Phase.WAITING) targets.add(i);
                if (i.outgoing != null && i.outgoing.phase() == OutgoingVm.Phase.SENDING) sources.add(i);
            }
        }
        for (QemuInstance i : targets) {
            try {
                pollTarget(i);
            } catch (QmpException | RuntimeException e) {
                // dead (the watcher reports it) or busy (next poll)
            }
        }
        for (QemuInstance i : sources) {
            try {
                pollSource(i);
            } catch (QmpException | RuntimeException e) {
                // dead (the watcher reports it) or busy (next poll)
            }
        }
    }

    private void pollTarget(QemuInstance i) throws QmpException {
        QmpClient qmp = i.qmp;
        if (qmp == null || !qmp.isOpen()) return;
        String migrate = qmp.execute("query-migrate", null, QMP_TIMEOUT_MILLIS).path("status").asText("none");
        String status = qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
        IncomingVm.Phase phase = MigrationInfo.incoming(migrate, status);
        if (phase == IncomingVm.Phase.WAITING) return;
        String detail = phase == IncomingVm.Phase.LOADED ? "" : "qemu says migration " + migrate + ", status " + status;
        IncomingVm now;
        synchronized (host.lock) {
            IncomingVm before = i.incoming;
            if (i.gone || before == null || before.phase() != IncomingVm.Phase.WAITING) return;
            now = new IncomingVm(before.vm(), before.migrationId(), before.epoch(), phase, detail);
            i.incoming = now;
        }
        host.record("vm " + i.vm + ": incoming migration " + now.migrationId() + " " + phase
                + (detail.isEmpty() ? ", guest paused (" + status + ")" : ": " + detail) + ", " + i.describe());
        if (status.equals("running")) {
            // The safety rule is broken (someone else's cont): this copy must not run beside the source.
            host.record("vm " + i.vm + ": WARNING incoming " + i.describe() + " runs before activation; killed");
            i.handle.destroyForcibly();
        }
        watcher.notifyChange();
    }

    private void pollSource(QemuInstance i) throws QmpException {
        QmpClient qmp = i.qmp;
        if (qmp == null || !qmp.isOpen()) return;
        OutgoingVm before;
        synchronized (host.lock) { before = i.outgoing; }
        if (before == null) return;
        JsonNode info = qmp.execute("query-migrate", null, QMP_TIMEOUT_MILLIS);
        OutgoingVm now = MigrationInfo.outgoing(i.vm, before.migrationId(), info);
        if (now.totalBytes() == 0) { // qemu drops the ram figures of a failed or cancelled migration: keep the last seen
            now = new OutgoingVm(now.vm(), now.migrationId(), now.phase(), before.transferredBytes(), before.totalBytes(),
                    before.remainingBytes(), now.detail());
        }
        String note = "";
        if (now.phase() == OutgoingVm.Phase.COMPLETED) {
            String status = qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            if (!MigrationInfo.PAUSED.contains(status)) {
                now = withPhase(now, OutgoingVm.Phase.FAILED, "the stream completed but the source is " + status + ", not paused");
            }
            note = " in " + info.path("total-time").asLong(-1) + " ms, downtime " + info.path("downtime").asLong(-1) + " ms";
        } else if (now.phase() == OutgoingVm.Phase.FAILED || now.phase() == OutgoingVm.Phase.CANCELLED) {
            note = ", the guest was " + ensureRunning(qmp) + ", runs here";
        }
        boolean changed;
        synchronized (host.lock) {
            if (i.outgoing != before) return; // cleared, stopped or restarted meanwhile
            if (now.phase() == OutgoingVm.Phase.CANCELLED && i.cancelReason != null) {
                now = withPhase(now, OutgoingVm.Phase.CANCELLED, "cancelled: " + i.cancelReason);
            }
            changed = now.phase() != before.phase();
            i.outgoing = now;
        }
        if (changed) {
            host.record("vm " + i.vm + ": outgoing migration " + now.migrationId() + " " + now.phase() + note
                    + (now.detail().isEmpty() ? "" : ": " + now.detail()) + " (" + now.transferredBytes() + " bytes sent)");
            watcher.notifyChange();
        }
    }

    private static OutgoingVm withPhase(OutgoingVm o, OutgoingVm.Phase phase, String detail) {
        return new OutgoingVm(o.vm(), o.migrationId(), phase, o.transferredBytes(), o.totalBytes(), o.remainingBytes(), detail);
    }

    /**
     * qemu resumes a source itself when its migration fails or is cancelled; this makes sure, without waking a
     * guest that is paused for its own reason (a panic, a shutdown). Returns the status it found.
     */
    static String ensureRunning(QmpClient qmp) throws QmpException {
        String status = qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
        if (MigrationInfo.PAUSED.contains(status) && !status.equals("inmigrate")) qmp.execute("cont", null, QMP_TIMEOUT_MILLIS);
        return status;
    }
}
