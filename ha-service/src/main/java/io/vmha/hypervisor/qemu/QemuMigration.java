package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.LiveMigration;
import io.vmha.core.port.LocalVm;
import io.vmha.core.port.MigrationOptions;
import io.vmha.core.port.OutgoingVm;

import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Live migration for the qemu driver. The target starts qemu with {@code -S -incoming defer}, then
 * {@code migrate-incoming tcp:127.0.0.1:0}: the kernel picks a free port and qemu holds it from then on (no
 * race between choosing and binding); {@code query-migrate} tells which. With {@code -S} qemu does not start
 * the guest when the stream completes, it stays {@code paused} until {@link #activate} sends {@code cont}.
 * The source sets its limits, {@code migrate}s to the loopback port and returns; {@link MigrationPoller} and
 * qemu's MIGRATION events fill {@link #incoming()} and {@link #outgoing()}.
 */
final class QemuMigration implements LiveMigration, AutoCloseable {
    static final long POLL_MILLIS = 150;
    private static final long QMP_TIMEOUT_MILLIS = QemuHost.QMP_TIMEOUT_MILLIS;

    private final QemuHost host;
    private final QemuHypervisor driver;
    private final QemuWatcher watcher;
    private final ScheduledThreadPoolExecutor poller;
    private final MigrationPoller task;

    QemuMigration(QemuHost host, QemuHypervisor driver, QemuWatcher watcher) {
        this.host = host;
        this.driver = driver;
        this.watcher = watcher;
        this.poller = new ScheduledThreadPoolExecutor(1, QemuHost.daemonThreads("qemu-" + host.name + "-migration"));
        this.task = new MigrationPoller(host, watcher);
    }

    void start() {
        poller.scheduleWithFixedDelay(task, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        watcher.onMigrationEvent(this::pollSoon);
    }

    private void pollSoon() {
        try {
            poller.execute(task);
        } catch (RejectedExecutionException closed) {
            // closed: nothing more to poll
        }
    }

    // ---- target --------------------------------------------------------------------------------------

    @Override
    public int prepareIncoming(VmSpec spec, long epoch, String migrationId) throws HypervisorException {
        requireId(spec.name(), migrationId);
        QemuInstance i = driver.launch(spec, epoch, true);
        int port;
        try {
            QmpClient qmp = i.qmp;
            String status = qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            if (!status.equals("inmigrate")) throw new QmpException("status is " + status + ", not inmigrate");
            qmp.execute("migrate-set-capabilities", eventsCapability(), QMP_TIMEOUT_MILLIS);
            qmp.execute("migrate-incoming", QmpClient.args().put("uri", "tcp:127.0.0.1:0"), QMP_TIMEOUT_MILLIS);
            port = MigrationInfo.listeningPort(qmp.execute("query-migrate", null, QMP_TIMEOUT_MILLIS));
            if (port < 0) throw new QmpException("query-migrate names no 127.0.0.1 listening port");
        } catch (QmpException e) {
            throw driver.abortStart(i, "qemu is not waiting for the migration: " + e.getMessage());
        }
        synchronized (host.lock) {
            i.starting = false;
            i.incoming = new IncomingVm(i.vm, migrationId, epoch, IncomingVm.Phase.WAITING, "");
        }
        host.runDir.updateState(i, s -> s.withMigration(migrationId));
        host.record("vm " + i.vm + ": incoming migration " + migrationId + " waits on 127.0.0.1:" + port + ", paused: " + i.describe());
        return port;
    }

    @Override
    public SortedMap<String, IncomingVm> incoming() {
        synchronized (host.lock) {
            SortedMap<String, IncomingVm> snapshot = new TreeMap<>();
            host.instances.forEach((vm, i) -> { if (i.incoming != null) snapshot.put(vm, i.incoming); });
            return snapshot;
        }
    }

    /** Asks qemu itself once more that the stream is complete and the guest paused, then {@code cont}. */
    @Override
    public LocalVm activate(String vm) throws HypervisorException {
        QemuInstance i;
        synchronized (host.lock) {
            i = host.instances.get(vm);
            if (i == null || i.incoming == null || i.gone || i.incoming.phase() != IncomingVm.Phase.LOADED) {
                throw new HypervisorException("vm " + vm + ": no LOADED incoming instance on " + host.name + " to activate"
                        + (i != null && i.incoming != null ? " (it is " + i.incoming.phase() + ")" : ""));
            }
        }
        String migrationId = i.incoming.migrationId();
        try {
            QmpClient qmp = QemuHypervisor.monitor(i);
            String migrate = qmp.execute("query-migrate", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            String before = qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            if (MigrationInfo.incoming(migrate, before) != IncomingVm.Phase.LOADED) {
                throw new QmpException("qemu says migration " + migrate + ", status " + before + ": not loaded");
            }
            qmp.execute("cont", null, QMP_TIMEOUT_MILLIS);
            String after = qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            if (!after.equals("running")) throw new QmpException("status is " + after + " after cont, not running");
        } catch (QmpException e) {
            throw new HypervisorException("vm " + vm + ": activation of incoming " + i.describe() + " failed: " + e.getMessage(), e);
        }
        LocalVm running;
        synchronized (host.lock) {
            i.incoming = null;
            i.state = new LocalVm(vm, i.epoch, i.instanceId, true, "");
            running = i.state;
        }
        host.runDir.updateState(i, QemuStateFile::asRunning);
        host.record("vm " + vm + ": incoming migration " + migrationId + " activated, " + i.describe() + " runs");
        watcher.notifyChange();
        return running;
    }

    @Override
    public void discardIncoming(String vm, String why) {
        QemuInstance i;
        synchronized (host.lock) {
            i = host.instances.get(vm);
            if (i == null || i.incoming == null) return;
            i.stopping = true;
        }
        try {
            driver.hardStop(i);
        } catch (HypervisorException e) {
            host.record("vm " + vm + ": discarding incoming " + i.describe() + ": " + e.getMessage());
        }
        driver.forget(i);
        host.record("vm " + vm + ": incoming " + i.describe() + " discarded: " + why);
    }

    // ---- source --------------------------------------------------------------------------------------

    @Override
    public void startOutgoing(String vm, String migrationId, int port, MigrationOptions options) throws HypervisorException {
        requireId(vm, migrationId);
        if (port < 1 || port > 65535) {
            throw new HypervisorException("vm " + vm + ": " + new InvalidInputException("migration.port", port, "1 to 65535").getMessage());
        }
        QemuInstance i = driver.runningInstance(vm, "migrate");
        synchronized (host.lock) {
            OutgoingVm out = i.outgoing;
            if (out != null && (out.phase() == OutgoingVm.Phase.SENDING || out.phase() == OutgoingVm.Phase.COMPLETED)) {
                throw new HypervisorException("vm " + vm + ": outgoing migration " + out.migrationId() + " is " + out.phase());
            }
        }
        QmpClient qmp = QemuHypervisor.monitor(i);
        try {
            if (i.migrationDefaults == null) {
                JsonNode p = qmp.execute("query-migrate-parameters", null, QMP_TIMEOUT_MILLIS);
                i.migrationDefaults = new long[]{p.path("max-bandwidth").asLong(0), p.path("downtime-limit").asLong(0)};
            }
            qmp.execute("migrate-set-capabilities", eventsCapability(), QMP_TIMEOUT_MILLIS);
            qmp.execute("migrate-set-parameters", MigrationArguments.parameters(options, i.migrationDefaults), QMP_TIMEOUT_MILLIS);
            qmp.execute("migrate", QmpClient.args().put("uri", MigrationArguments.uri(port)), QMP_TIMEOUT_MILLIS);
        } catch (QmpException e) {
            throw new HypervisorException("vm " + vm + ": qemu did not start migration " + migrationId + " to 127.0.0.1:"
                    + port + ": " + e.getMessage() + " (the guest runs here)", e);
        }
        // Only now: before migrate, query-migrate still shows the previous migration's end, which the poller would take for this one's.
        synchronized (host.lock) {
            i.cancelReason = null;
            i.outgoing = new OutgoingVm(vm, migrationId, OutgoingVm.Phase.SENDING, 0, 0, 0, "");
        }
        host.runDir.updateState(i, s -> s.withMigration(migrationId));
        host.record("vm " + vm + ": outgoing migration " + migrationId + " of " + i.describe() + " to 127.0.0.1:" + port
                + " started (" + MigrationArguments.describe(options) + ")");
        pollSoon();
    }

    @Override
    public SortedMap<String, OutgoingVm> outgoing() {
        synchronized (host.lock) {
            SortedMap<String, OutgoingVm> snapshot = new TreeMap<>();
            host.instances.forEach((vm, i) -> { if (i.outgoing != null) snapshot.put(vm, i.outgoing); });
            return snapshot;
        }
    }

    @Override
    public void cancelOutgoing(String vm, String why) {
        QemuInstance i;
        synchronized (host.lock) {
            i = host.instances.get(vm);
            if (i == null || i.outgoing == null || i.outgoing.phase() != OutgoingVm.Phase.SENDING) return;
            i.cancelReason = why;
        }
        try {
            QemuHypervisor.monitor(i).execute("migrate_cancel", null, QMP_TIMEOUT_MILLIS);
            host.record("vm " + vm + ": outgoing migration " + i.outgoing.migrationId() + " cancel requested: " + why);
        } catch (QmpException | HypervisorException e) {
            host.record("vm " + vm + ": cannot cancel outgoing migration: " + e.getMessage());
        }
        pollSoon();
    }

    /** After COMPLETED: {@code cont}, and the record goes (the guest runs here again). Else makes sure it runs. */
    @Override
    public void resumeAfterMigration(String vm) throws HypervisorException {
        QemuInstance i = driver.runningInstance(vm, "resume");
        OutgoingVm out;
        synchronized (host.lock) { out = i.outgoing; }
        if (out != null && out.phase() == OutgoingVm.Phase.SENDING) {
            throw new HypervisorException("vm " + vm + ": outgoing migration " + out.migrationId() + " is still SENDING; cancel it first");
        }
        String before;
        try {
            before = MigrationPoller.ensureRunning(QemuHypervisor.monitor(i));
        } catch (QmpException e) {
            throw new HypervisorException("vm " + vm + ": cannot resume " + i.describe() + ": " + e.getMessage(), e);
        }
        if (out != null && out.phase() == OutgoingVm.Phase.COMPLETED) {
            synchronized (host.lock) { if (i.outgoing == out) i.outgoing = null; }
            host.runDir.updateState(i, s -> s.withMigration(null));
        }
        host.record("vm " + vm + ": resumed after migration" + (out == null ? "" : " " + out.migrationId() + " (" + out.phase() + ")")
                + ", it was " + before + ": " + i.describe() + " runs");
    }

    @Override
    public void clearOutgoing(String vm) {
        QemuInstance i;
        synchronized (host.lock) {
            i = host.instances.get(vm);
            if (i == null || i.outgoing == null) return;
            if (i.outgoing.phase() != OutgoingVm.Phase.FAILED && i.outgoing.phase() != OutgoingVm.Phase.CANCELLED) return;
            i.outgoing = null;
        }
        if (!i.gone) host.runDir.updateState(i, s -> s.withMigration(null));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static ObjectNode eventsCapability() {
        ObjectNode args = QmpClient.args();
        args.putArray("capabilities").addObject().put("capability", "events").put("state", true);
        return args;
    }

    private static void requireId(String vm, String migrationId) throws HypervisorException {
        if (migrationId == null || migrationId.isBlank()) {
            throw new HypervisorException("vm " + vm + ": " + new InvalidInputException("migration.id", migrationId,
                    "a non-blank migration id").getMessage());
        }
    }

    /** Stops polling; migrations in qemu go on (a new driver adopts them). Idempotent. */
    @Override
    public void close() {
        poller.shutdownNow();
    }
}
