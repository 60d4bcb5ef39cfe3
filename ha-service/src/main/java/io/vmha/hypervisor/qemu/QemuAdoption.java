package io.vmha.hypervisor.qemu;

import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.LocalVm;
import io.vmha.core.port.OutgoingVm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A new driver on a run directory adopts the qemu processes that survived the previous daemon, from their state
 * files. Migrations are adopted as they stand, read back from qemu itself: an incoming instance is listed by
 * {@code incoming()} in its true phase (a LOADED one may hold the only current copy of a guest whose move committed
 * while this daemon was down, so it is not killed here: the orchestration activates or discards it), and a source
 * whose state file names a migration is listed by {@code outgoing()} (SENDING, COMPLETED and paused, FAILED...).
 */
final class QemuAdoption {
    private final QemuHost host;
    private final QemuWatcher watcher;

    QemuAdoption(QemuHost host, QemuWatcher watcher) {
        this.host = host;
        this.watcher = watcher;
    }

    void adoptAll() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(host.runDir.dir(), "*" + VmFiles.STATE_SUFFIX)) {
            for (Path file : files) adopt(file);
        } catch (IOException e) {
            host.record("qemu hypervisor: cannot list state files in " + host.runDir.dir() + ": " + e);
        }
    }

    private void adopt(Path file) {
        String name = file.getFileName().toString();
        String vm = name.substring(0, name.length() - VmFiles.STATE_SUFFIX.length());
        VmFiles files = host.runDir.files(vm);
        QemuStateFile s;
        try {
            s = QemuStateFile.read(file);
        } catch (IOException e) {
            host.record("vm " + vm + ": removed unreadable state file " + file + ": " + e.getMessage());
            host.runDir.deleteQuietly(files.transient_());
            return;
        }
        var handle = ProcessHandle.of(s.pid());
        if (handle.isEmpty() || !ProcessProbe.runs(s.pid(), QemuCommand.instanceArgument(s.instanceId()))) {
            host.record("vm " + vm + ": removed stale state file (instance " + s.instanceId() + ", pid "
                    + s.pid() + " no longer runs it)");
            host.runDir.deleteQuietly(files.transient_());
            return;
        }
        QemuInstance i = new QemuInstance(vm, s.epoch(), s.instanceId(), files, handle.get(), null, s.agentSocket() != null);
        String status = "unknown (no QMP yet)";
        String migrateStatus = "none";
        com.fasterxml.jackson.databind.JsonNode migrateInfo = null;
        try {
            i.qmp = QmpClient.connect(files.qmp(), QemuHost.QMP_TIMEOUT_MILLIS, watcher.listener(i), host.threadName(i));
            status = i.qmp.execute("query-status", null, QemuHost.QMP_TIMEOUT_MILLIS).path("status").asText("");
            migrateInfo = i.qmp.execute("query-migrate", null, QemuHost.QMP_TIMEOUT_MILLIS);
            migrateStatus = migrateInfo.path("status").asText("none");
        } catch (QmpException e) {
            host.record("vm " + vm + ": adopted without a QMP monitor for now (" + e.getMessage() + "); retrying");
        }
        boolean incoming = s.incoming() && !status.equals("running") || status.equals("inmigrate");
        String migrationId = s.migrationId() == null ? "" : s.migrationId();
        synchronized (host.lock) {
            i.panicked = status.equals("guest-panicked");
            if (incoming) {
                IncomingVm.Phase phase = MigrationInfo.incoming(migrateStatus, status);
                i.incoming = new IncomingVm(vm, migrationId, s.epoch(), phase, phase == IncomingVm.Phase.FAILED
                        ? "adopted after a daemon restart: qemu status " + status + ", migration " + migrateStatus : "");
            } else {
                i.state = new LocalVm(vm, s.epoch(), s.instanceId(), true, "");
                if (s.migrationId() != null && migrateInfo != null) {
                    OutgoingVm out = MigrationInfo.outgoing(vm, migrationId, migrateInfo);
                    // A COMPLETED source that runs again was resumed: nothing is left to decide.
                    if (out.phase() != OutgoingVm.Phase.COMPLETED || MigrationInfo.PAUSED.contains(status)) i.outgoing = out;
                }
            }
            host.instances.put(vm, i);
        }
        if (s.incoming() && !incoming) host.runDir.writeState(s.asRunning(), files); // activated while no daemon watched
        host.record("vm " + vm + " adopted " + i.describe() + ", qemu status " + status
                + (incoming ? ", incoming " + i.incoming.phase() : "")
                + (i.outgoing != null ? ", outgoing " + i.outgoing.phase() : ""));
        watcher.watch(i);
    }
}
