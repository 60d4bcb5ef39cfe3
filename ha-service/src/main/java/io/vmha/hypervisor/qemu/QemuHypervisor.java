package io.vmha.hypervisor.qemu;

import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import io.vmha.core.port.LiveMigration;
import io.vmha.core.port.LocalVm;
import io.vmha.core.port.OutgoingVm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code qemu} driver of one host: each VM is a plain qemu process (TCG or KVM, per the VM's
 * {@code machine} parameter) driven over QMP on a Unix socket in the run directory, like Ganeti.
 *
 * <p>qemu outlives the daemon (see {@link QemuLauncher}); a new driver on the same run directory adopts the
 * survivors from their state files ({@link QemuAdoption}). Exits are watched by {@link QemuWatcher}; live
 * migration is {@link QemuMigration}. Every qemu starts paused ({@code -S}): a normal start sends {@code cont}
 * once the driver holds the monitor; a migration target only on {@code activate}.
 */
public final class QemuHypervisor implements Hypervisor, AutoCloseable {
    private static final long KILL_WAIT_MILLIS = 2_000;
    private static final long QMP_TIMEOUT_MILLIS = QemuHost.QMP_TIMEOUT_MILLIS;
    private static final AtomicLong LAST_STAMP = new AtomicLong();

    private final QemuHost host;
    private final QemuWatcher watcher;
    private final QemuMigration migration;
    private final SecureRandom random = new SecureRandom();
    private final Set<String> starting = new HashSet<>();

    public QemuHypervisor(String host, QemuConfig config, Journal journal, Runnable onChange) {
        this.host = new QemuHost(host, config, journal);
        java.util.Objects.requireNonNull(onChange, "onChange");
        try {
            Files.createDirectories(config.runDir());
        } catch (IOException e) {
            throw new UncheckedIOException("qemu hypervisor " + host + ": cannot create " + config.runDir(), e);
        }
        this.watcher = new QemuWatcher(this.host, onChange);
        this.migration = new QemuMigration(this.host, this, watcher);
        new QemuAdoption(this.host, watcher).adoptAll();
        watcher.start();
        migration.start();
    }

    @Override
    public String processMarker() {
        return QemuCommand.MARKER;
    }

    /** Running, starting and incoming (not yet activated) instances: the fence guard kills them all. */
    @Override
    public List<Long> runningPids() {
        synchronized (host.lock) {
            List<Long> pids = new ArrayList<>();
            for (QemuInstance i : host.instances.values()) {
                if (!i.gone && (i.state.running() || i.incoming != null || i.starting)) pids.add(i.pid);
            }
            return pids;
        }
    }

    @Override
    public SortedMap<String, LocalVm> instances() {
        synchronized (host.lock) {
            SortedMap<String, LocalVm> snapshot = new TreeMap<>();
            host.instances.forEach((vm, i) -> {
                if (!i.starting && i.incoming == null) snapshot.put(vm, i.state);
            });
            return snapshot;
        }
    }

    @Override
    public Optional<LiveMigration> migration() {
        return Optional.of(migration);
    }

    /** Where this host keeps {@code vm}'s serial console (kept after the instance ends). */
    public Path consoleFile(String vm) {
        return host.runDir.files(vm).console();
    }

    // ---- start ---------------------------------------------------------------------------------------

    @Override
    public LocalVm start(VmSpec spec, long epoch) throws HypervisorException {
        QemuInstance i = launch(spec, epoch, false);
        try {
            i.qmp.execute("cont", null, QMP_TIMEOUT_MILLIS);
            String status = i.qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            if (!status.equals("running")) throw new QmpException("status is " + status + " after cont, not running");
        } catch (QmpException e) {
            throw abortStart(i, "qemu did not run the guest: " + e.getMessage());
        }
        synchronized (host.lock) {
            i.starting = false;
            i.state = new LocalVm(i.vm, epoch, i.instanceId, true, "");
        }
        host.record("vm " + i.vm + " started " + i.describe());
        return i.state;
    }

    /**
     * Spawns a paused qemu for {@code spec} and connects its monitor; the instance is still {@code starting}
     * (the caller ends that). {@code incoming}: a migration target ({@code -incoming defer}).
     */
    QemuInstance launch(VmSpec spec, long epoch, boolean incoming) throws HypervisorException {
        String vm = spec.name();
        QemuParams params;
        try {
            params = QemuParams.parse(spec.driverParams());
        } catch (InvalidInputException e) {
            throw new HypervisorException("vm " + vm + ": " + e.getMessage(), e);
        }
        String diskFormat = host.runDir.checkHostFiles(vm, host.name, params);
        String instanceId;
        synchronized (host.lock) {
            if (host.closed) throw new HypervisorException("vm " + vm + ": qemu hypervisor of " + host.name + " is closed");
            QemuInstance current = host.instances.get(vm);
            if (starting.contains(vm) || current != null && !current.gone
                    && (current.state.running() || current.incoming != null || current.starting)) {
                throw new HypervisorException("vm " + vm + " already runs or starts on " + host.name
                        + (current == null ? "" : " as " + current.describe()));
            }
            starting.add(vm);
            instanceId = host.name + ".e" + epoch + "." + nextStamp();
        }
        try {
            return spawn(spec, epoch, params, diskFormat, instanceId, incoming);
        } finally {
            synchronized (host.lock) { starting.remove(vm); }
        }
    }

    private QemuInstance spawn(VmSpec spec, long epoch, QemuParams params, String diskFormat, String instanceId,
                               boolean incoming) throws HypervisorException {
        String vm = spec.name();
        VmFiles files = host.runDir.files(vm);
        List<String> argv = QemuCommand.argv(host.config.binary(), spec, params, files, instanceId, epoch, diskFormat, incoming);
        Process process;
        long logOffset;
        try {
            for (Path p : files.transient_()) Files.deleteIfExists(p); // no live instance of vm is known: leftovers
            logOffset = QemuLauncher.logHeader(files.log(), instanceId, argv);
            process = QemuLauncher.spawn(argv, files.log());
        } catch (IOException e) {
            throw new HypervisorException("vm " + vm + ": cannot start qemu (" + host.config.binary() + ") on " + host.name
                    + ": " + e.getMessage(), e);
        }
        QemuInstance i = new QemuInstance(vm, epoch, instanceId, files, process.toHandle(), process, params.guestAgent());
        i.starting = true;
        synchronized (host.lock) {
            QemuInstance replaced = host.instances.put(vm, i);
            if (replaced != null) host.record("vm " + vm + ": forgot " + replaced.describe() + ", gone, replaced by " + instanceId);
        }
        watcher.watch(i);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(host.config.startTimeoutMillis());
        try {
            i.qmp = QemuLauncher.awaitMonitor(process, files.qmp(), deadline, watcher.listener(i), host.threadName(i));
            long pid = QemuLauncher.pidFromFile(files.pid());
            if (pid != process.pid()) {
                throw new IOException("qemu's pid file says " + pid + ", but the process started is " + process.pid());
            }
            new QemuStateFile(i.pid, epoch, instanceId, files.qmp().toString(),
                    params.guestAgent() ? files.agent().toString() : null, incoming, null).write(files.state());
        } catch (IOException e) {
            throw abortStart(i, e.getMessage() + QemuRunDir.tail(files.log(), logOffset));
        }
        return i;
    }

    /** Kills what start got as far as, forgets it, and returns the error to throw. */
    HypervisorException abortStart(QemuInstance i, String why) {
        synchronized (host.lock) {
            i.stopping = true;
            if (host.current(i)) host.instances.remove(i.vm);
        }
        i.handle.destroyForcibly();
        boolean gone = i.awaitGone(KILL_WAIT_MILLIS);
        i.closeMonitor();
        host.runDir.deleteTransientFiles(i);
        String message = "vm " + i.vm + ": qemu failed to start on " + host.name + ": " + why
                + (gone ? "" : " (and pid " + i.pid + " survived SIGKILL)");
        host.record(message);
        return new HypervisorException(message);
    }

    // ---- stop, shutdown, reset ---------------------------------------------------------------------

    /** Also ends an outgoing migration's record (the source is gone), and kills an incoming instance of the VM. */
    @Override
    public void stop(String vm, String reason) throws HypervisorException {
        QemuInstance i;
        synchronized (host.lock) {
            i = host.instances.get(vm);
            if (i == null) return;
            if (i.starting) throw new HypervisorException("vm " + vm + " is being started on " + host.name + "; stop it afterwards");
            i.stopping = true;
        }
        hardStop(i);
        forget(i);
        host.record("vm " + vm + " stopped " + i.describe() + ": " + reason);
    }

    /**
     * ACPI power button ({@code system_powerdown}); if the guest has not powered off within
     * {@code timeoutMillis}, a hard stop. Returns true if the guest powered off by itself. Forgets the VM.
     */
    public boolean shutdownGracefully(String vm, long timeoutMillis) throws HypervisorException {
        QemuInstance i;
        synchronized (host.lock) {
            i = host.instances.get(vm);
            if (i == null || i.incoming != null) return true;
            if (i.starting) throw new HypervisorException("vm " + vm + " is being started on " + host.name);
            i.stopping = true;
        }
        boolean graceful = false;
        if (i.alive()) {
            try {
                monitor(i).execute("system_powerdown", null, QMP_TIMEOUT_MILLIS);
                host.record("vm " + vm + ": ACPI power-down requested, waiting up to " + timeoutMillis + " ms");
                graceful = i.awaitGone(timeoutMillis);
            } catch (QmpException | HypervisorException e) {
                host.record("vm " + vm + ": ACPI power-down not sent: " + e.getMessage());
            }
        }
        hardStop(i);
        forget(i);
        host.record("vm " + vm + (graceful ? " powered off gracefully (" : " did not power off in time; stopped hard (")
                + i.describe() + ")");
        return graceful;
    }

    /** QMP quit, then SIGKILL after the stop timeout; returns once the process is gone. */
    void hardStop(QemuInstance i) throws HypervisorException {
        if (i.alive()) {
            try {
                QmpClient qmp = i.qmp;
                if (qmp != null && qmp.isOpen()) qmp.execute("quit", null, Math.min(QMP_TIMEOUT_MILLIS, host.config.stopTimeoutMillis()));
            } catch (QmpException e) {
                // qemu may close the monitor before answering quit; the wait below decides
            }
            if (!i.awaitGone(host.config.stopTimeoutMillis())) {
                host.record("vm " + i.vm + ": " + i.describe() + " still runs " + host.config.stopTimeoutMillis()
                        + " ms after quit; SIGKILL");
                i.handle.destroyForcibly();
                if (!i.awaitGone(KILL_WAIT_MILLIS)) {
                    synchronized (host.lock) { i.stopping = false; }
                    throw new HypervisorException("vm " + i.vm + ": " + i.describe() + " still runs "
                            + KILL_WAIT_MILLIS + " ms after SIGKILL");
                }
            }
        }
        i.closeMonitor();
    }

    void forget(QemuInstance i) {
        synchronized (host.lock) {
            i.gone = true;
            if (host.current(i)) host.instances.remove(i.vm);
        }
        host.runDir.deleteTransientFiles(i);
    }

    @Override
    public void acknowledgeExit(String vm) {
        synchronized (host.lock) {
            QemuInstance i = host.instances.get(vm);
            if (i != null && !i.state.running() && !i.starting && i.incoming == null) host.instances.remove(vm);
        }
    }

    /**
     * QMP {@code system_reset} (then {@code cont} if the guest was paused, e.g. by a panic): same process, instance
     * and epoch. Refused while the instance is being migrated away: a source whose stream completed must stay paused.
     */
    @Override
    public void reset(String vm, String reason) throws HypervisorException {
        QemuInstance i = runningInstance(vm, "reset");
        synchronized (host.lock) {
            OutgoingVm out = i.outgoing;
            if (out != null && (out.phase() == OutgoingVm.Phase.SENDING || out.phase() == OutgoingVm.Phase.COMPLETED)) {
                throw new HypervisorException("vm " + vm + ": not reset, its outgoing migration " + out.migrationId()
                        + " is " + out.phase() + " (a completed source must stay paused until stopped or resumed)");
            }
        }
        try {
            QmpClient qmp = monitor(i);
            String before = qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            qmp.execute("system_reset", null, QMP_TIMEOUT_MILLIS);
            if (!before.equals("running")) qmp.execute("cont", null, QMP_TIMEOUT_MILLIS);
            synchronized (host.lock) { i.panicked = false; }
            host.record("vm " + vm + " reset (" + i.describe() + " kept; it was " + before + "): " + reason);
        } catch (QmpException e) {
            throw new HypervisorException("vm " + vm + ": reset failed: " + e.getMessage(), e);
        }
    }

    // ---- guest ping ----------------------------------------------------------------------------------

    /** NOT_MONITORED while the VM is migrated away: a paused source does not answer, and that is no hang. */
    @Override
    public GuestPing pingGuest(String vm, long timeoutMillis) {
        QemuInstance i;
        synchronized (host.lock) {
            i = host.instances.get(vm);
            if (i == null || !i.state.running() || i.incoming != null || i.starting) return GuestPing.NOT_MONITORED;
            if (i.outgoing != null && i.outgoing.phase() == OutgoingVm.Phase.COMPLETED) return GuestPing.NOT_MONITORED;
            if (i.panicked) return GuestPing.PANICKED;
            if (!i.agentChannel) return GuestPing.NOT_MONITORED;
        }
        long t0 = System.nanoTime();
        try {
            if (!i.agentBusy.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) return GuestPing.NO_ANSWER;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return GuestPing.NO_ANSWER;
        }
        try {
            long left = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long syncId = 1 + (random.nextLong() >>> 12); // positive and exact as a JSON double, whatever the agent parses it as
            GuestAgentClient.Reply reply = new GuestAgentClient(i.files.agent(), QmpClient.DEFAULT_MAX_LINE_BYTES)
                    .ping(syncId, Math.max(0, left));
            synchronized (host.lock) {
                if (i.panicked) return GuestPing.PANICKED; // seen while we waited
            }
            return reply.answered() ? GuestPing.OK : GuestPing.NO_ANSWER;
        } catch (RuntimeException e) {
            return GuestPing.NO_ANSWER;
        } finally {
            i.agentBusy.release();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    QemuInstance runningInstance(String vm, String what) throws HypervisorException {
        synchronized (host.lock) {
            QemuInstance i = host.instances.get(vm);
            if (i == null || !i.state.running() || i.starting || i.incoming != null || i.stopping) {
                throw new HypervisorException("vm " + vm + ": no running instance on " + host.name + " to " + what);
            }
            return i;
        }
    }

    static QmpClient monitor(QemuInstance i) throws HypervisorException {
        QmpClient qmp = i.qmp;
        if (qmp == null || !qmp.isOpen()) {
            throw new HypervisorException("vm " + i.vm + ": no QMP connection to " + i.describe() + " right now");
        }
        return qmp;
    }

    private static long nextStamp() {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        return LAST_STAMP.updateAndGet(last -> Math.max(last + 1, now));
    }

    /** Stops watching and closes the monitors; VMs keep running (a daemon restart must not kill VMs). Idempotent. */
    @Override
    public void close() {
        List<QemuInstance> all;
        synchronized (host.lock) {
            if (host.closed) return;
            host.closed = true;
            all = new ArrayList<>(host.instances.values());
        }
        migration.close();
        watcher.close();
        for (QemuInstance i : all) i.closeMonitor();
    }
}
