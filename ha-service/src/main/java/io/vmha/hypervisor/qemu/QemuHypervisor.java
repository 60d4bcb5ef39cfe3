package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import io.vmha.core.port.LocalVm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code qemu} driver of one host: each VM is a plain qemu process (TCG or KVM, per the VM's
 * {@code machine} parameter) driven over QMP on a Unix socket in the run directory, like Ganeti.
 *
 * <p>qemu outlives the daemon (see {@link QemuLauncher}); a new driver on the same run directory adopts
 * the survivors from their state files. A crash is seen three ways: the QMP connection's EOF (instant,
 * confirmed by the pid being gone), {@link Process#onExit()} for qemu this JVM spawned, and a 100 ms check
 * of every pid (adopted processes, whose exit the JDK only polls). {@code onChange} runs on a notifier
 * thread of its own, never on a QMP reader or on the watcher.
 *
 * <p>An instance started with {@link #startIncoming} waits for a live migration: it is in
 * {@link #runningPids()} (the fence guard must be able to kill it) but not in {@link #instances()} until
 * the migration completes and qemu resumes it; then it appears as running and {@code onChange} runs.
 */
public final class QemuHypervisor implements Hypervisor, AutoCloseable {
    private static final long CHECK_MILLIS = 100;
    private static final long EOF_CONFIRM_MILLIS = 3_000;
    private static final long RECONNECT_EVERY_MILLIS = 1_000;
    private static final long QMP_TIMEOUT_MILLIS = 2_000;
    private static final long KILL_WAIT_MILLIS = 2_000;
    private static final int LOG_TAIL_BYTES = 2_000;
    private static final AtomicLong LAST_STAMP = new AtomicLong();

    private final String host;
    private final QemuConfig config;
    private final Journal journal;
    private final Runnable onChange;
    private final ScheduledThreadPoolExecutor watcher;
    private final ExecutorService notifier;
    private final ExecutorService reconnector;
    private final SecureRandom random = new SecureRandom();
    private final Object lock = new Object();
    private final Map<String, QemuInstance> instances = new HashMap<>();
    private final Set<String> starting = new HashSet<>();
    private boolean closed;

    public QemuHypervisor(String host, QemuConfig config, Journal journal, Runnable onChange) {
        this.host = java.util.Objects.requireNonNull(host, "host");
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.journal = java.util.Objects.requireNonNull(journal, "journal");
        this.onChange = java.util.Objects.requireNonNull(onChange, "onChange");
        try {
            Files.createDirectories(config.runDir());
        } catch (IOException e) {
            throw new UncheckedIOException("qemu hypervisor " + host + ": cannot create " + config.runDir(), e);
        }
        this.watcher = new ScheduledThreadPoolExecutor(1, daemonThreads("qemu-" + host + "-watcher"));
        this.notifier = Executors.newSingleThreadExecutor(daemonThreads("qemu-" + host + "-notifier"));
        this.reconnector = Executors.newSingleThreadExecutor(daemonThreads("qemu-" + host + "-reconnector"));
        adoptFromStateFiles();
        watcher.scheduleWithFixedDelay(this::checkAll, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public String processMarker() {
        return QemuCommand.MARKER;
    }

    @Override
    public List<Long> runningPids() {
        synchronized (lock) {
            List<Long> pids = new ArrayList<>();
            for (QemuInstance i : instances.values()) {
                if (i.state.running() || i.incoming || i.starting) pids.add(i.pid);
            }
            return pids;
        }
    }

    @Override
    public SortedMap<String, LocalVm> instances() {
        synchronized (lock) {
            SortedMap<String, LocalVm> snapshot = new TreeMap<>();
            instances.forEach((vm, i) -> {
                if (!i.starting && !i.incoming) snapshot.put(vm, i.state);
            });
            return snapshot;
        }
    }

    /** VMs waiting for an incoming migration on this host, by name. */
    public SortedMap<String, LocalVm> incoming() {
        synchronized (lock) {
            SortedMap<String, LocalVm> snapshot = new TreeMap<>();
            instances.forEach((vm, i) -> {
                if (i.incoming) snapshot.put(vm, i.state);
            });
            return snapshot;
        }
    }

    /** Where this host keeps {@code vm}'s serial console (kept after the instance ends). */
    public Path consoleFile(String vm) {
        return VmFiles.of(config.runDir(), vm).console();
    }

    // ---- start ---------------------------------------------------------------------------------------

    @Override
    public LocalVm start(VmSpec spec, long epoch) throws HypervisorException {
        QemuInstance i = launch(spec, epoch, null);
        try {
            i.qmp.execute("cont", null, QMP_TIMEOUT_MILLIS);
            String status = i.qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            if (!status.equals("running")) throw new QmpException("status is " + status + " after cont, not running");
        } catch (QmpException e) {
            throw abortStart(i, "qemu did not run the guest: " + e.getMessage());
        }
        synchronized (lock) {
            i.starting = false;
            i.state = new LocalVm(i.vm, epoch, i.instanceId, true, "");
        }
        journal.record(host, "vm " + i.vm + " started " + i.describe());
        return i.state;
    }

    /**
     * Starts qemu for {@code spec} waiting for a live migration on {@code incomingUri} (e.g.
     * {@code tcp:127.0.0.1:4444}). Returns the waiting instance ({@code running=false}); it is listed by
     * {@link #incoming()} until the migration completes, then by {@link #instances()} as running.
     */
    public LocalVm startIncoming(VmSpec spec, long epoch, String incomingUri) throws HypervisorException {
        if (!MigrationRun.acceptedUri(incomingUri)) {
            throw new HypervisorException("vm " + spec.name() + ": " + new InvalidInputException("incoming-uri",
                    incomingUri, "a migration URI starting with one of " + MigrationRun.URI_SCHEMES).getMessage());
        }
        QemuInstance i = launch(spec, epoch, incomingUri);
        String status;
        try {
            status = i.qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            if (!status.equals("inmigrate")) throw new QmpException("status is " + status + ", not inmigrate");
        } catch (QmpException e) {
            throw abortStart(i, "qemu is not waiting for the migration: " + e.getMessage());
        }
        synchronized (lock) {
            i.starting = false;
            i.incoming = true;
        }
        journal.record(host, "vm " + i.vm + " waits for an incoming migration on " + incomingUri + ": " + i.describe());
        return i.state;
    }

    /** Waits until the incoming migration of {@code vm} has completed and the guest runs here. */
    public LocalVm awaitIncoming(String vm, long timeoutMillis) throws HypervisorException {
        QemuInstance i;
        synchronized (lock) {
            i = instances.get(vm);
            if (i == null) throw new HypervisorException("vm " + vm + ": no instance on " + host);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            try {
                return i.migrated.get(CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                pollIncoming(i); // backstop for a RESUME event we might not see
            } catch (ExecutionException e) {
                throw new HypervisorException("vm " + vm + ": incoming migration failed: " + e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HypervisorException("vm " + vm + ": interrupted waiting for the incoming migration");
            }
            if (System.nanoTime() > deadline) {
                throw new HypervisorException("vm " + vm + ": incoming migration not complete within " + timeoutMillis + " ms");
            }
        }
    }

    private QemuInstance launch(VmSpec spec, long epoch, String incomingUri) throws HypervisorException {
        String vm = spec.name();
        QemuParams params;
        try {
            params = QemuParams.parse(spec.driverParams());
        } catch (InvalidInputException e) {
            throw new HypervisorException("vm " + vm + ": " + e.getMessage(), e);
        }
        VmFiles files = VmFiles.of(config.runDir(), vm);
        String diskFormat = checkHostFiles(vm, params);
        String instanceId;
        synchronized (lock) {
            if (closed) throw new HypervisorException("vm " + vm + ": qemu hypervisor of " + host + " is closed");
            QemuInstance current = instances.get(vm);
            if (starting.contains(vm) || current != null && (current.state.running() || current.incoming || current.starting)) {
                throw new HypervisorException("vm " + vm + " already runs or starts on " + host
                        + (current == null ? "" : " as " + current.describe()));
            }
            starting.add(vm);
            instanceId = host + ".e" + epoch + "." + nextStamp();
        }
        try {
            return spawn(spec, epoch, params, files, diskFormat, instanceId, incomingUri);
        } finally {
            synchronized (lock) { starting.remove(vm); }
        }
    }

    private QemuInstance spawn(VmSpec spec, long epoch, QemuParams params, VmFiles files, String diskFormat,
                               String instanceId, String incomingUri) throws HypervisorException {
        String vm = spec.name();
        List<String> argv = QemuCommand.argv(config.binary(), spec, params, files, instanceId, epoch, diskFormat, incomingUri);
        Process process;
        long logOffset;
        try {
            for (Path p : files.transient_()) Files.deleteIfExists(p); // no instance of vm is known: leftovers
            logOffset = QemuLauncher.logHeader(files.log(), instanceId, argv);
            process = QemuLauncher.spawn(argv, files.log());
        } catch (IOException e) {
            throw new HypervisorException("vm " + vm + ": cannot start qemu (" + config.binary() + ") on " + host + ": " + e.getMessage(), e);
        }
        QemuInstance i = new QemuInstance(vm, epoch, instanceId, files, process.toHandle(), process, params.guestAgent());
        i.starting = true;
        synchronized (lock) { instances.put(vm, i); }
        watch(i);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.startTimeoutMillis());
        try {
            i.qmp = QemuLauncher.awaitMonitor(process, files.qmp(), deadline, listener(i), threadName(i));
            long pid = QemuLauncher.pidFromFile(files.pid());
            if (pid != process.pid()) {
                throw new IOException("qemu's pid file says " + pid + ", but the process started is " + process.pid());
            }
            new QemuStateFile(i.pid, epoch, instanceId, files.qmp().toString(),
                    params.guestAgent() ? files.agent().toString() : null, incomingUri != null).write(files.state());
        } catch (IOException e) {
            throw abortStart(i, e.getMessage() + tail(files.log(), logOffset));
        }
        return i;
    }

    /** Kills what start got as far as, forgets it, and returns the error to throw. */
    private HypervisorException abortStart(QemuInstance i, String why) {
        synchronized (lock) {
            i.stopping = true;
            if (instances.get(i.vm) == i) instances.remove(i.vm);
        }
        i.handle.destroyForcibly();
        boolean gone = i.awaitGone(KILL_WAIT_MILLIS);
        i.closeMonitor();
        deleteTransientFiles(i);
        String message = "vm " + i.vm + ": qemu failed to start on " + host + ": " + why
                + (gone ? "" : " (and pid " + i.pid + " survived SIGKILL)");
        journal.record(host, message);
        return new HypervisorException(message);
    }

    /** Files named by the params must exist here; resolves an {@code auto} disk format. */
    private String checkHostFiles(String vm, QemuParams params) throws HypervisorException {
        for (var entry : Map.of("kernel", params.kernel(), "initrd", params.initrd(), "disk", params.disk()).entrySet()) {
            if (entry.getValue().isPresent() && !Files.isReadable(Path.of(entry.getValue().get()))) {
                throw new HypervisorException("vm " + vm + ": driver-params." + entry.getKey() + ": \""
                        + entry.getValue().get() + "\" is not a readable file on " + host);
            }
        }
        if (params.disk().isEmpty() || !params.diskFormat().equals("auto")) return params.diskFormat();
        try (InputStream in = Files.newInputStream(Path.of(params.disk().get()))) {
            byte[] magic = in.readNBytes(4);
            return Arrays.equals(magic, new byte[]{'Q', 'F', 'I', (byte) 0xfb}) ? "qcow2" : "raw";
        } catch (IOException e) {
            throw new HypervisorException("vm " + vm + ": cannot read disk " + params.disk().get() + ": " + e.getMessage(), e);
        }
    }

    // ---- stop, shutdown, reset ---------------------------------------------------------------------

    @Override
    public void stop(String vm, String reason) throws HypervisorException {
        QemuInstance i;
        synchronized (lock) {
            i = instances.get(vm);
            if (i == null) return;
            if (i.starting) throw new HypervisorException("vm " + vm + " is being started on " + host + "; stop it afterwards");
            i.stopping = true;
        }
        hardStop(i);
        forget(i);
        journal.record(host, "vm " + vm + " stopped " + i.describe() + ": " + reason);
    }

    /**
     * ACPI power button ({@code system_powerdown}); if the guest has not powered off within
     * {@code timeoutMillis}, a hard stop. Returns true if the guest powered off by itself. Forgets the VM.
     */
    public boolean shutdownGracefully(String vm, long timeoutMillis) throws HypervisorException {
        QemuInstance i;
        synchronized (lock) {
            i = instances.get(vm);
            if (i == null) return true;
            if (i.starting) throw new HypervisorException("vm " + vm + " is being started on " + host);
            i.stopping = true;
        }
        boolean graceful = false;
        if (i.alive()) {
            try {
                monitor(i).execute("system_powerdown", null, QMP_TIMEOUT_MILLIS);
                journal.record(host, "vm " + vm + ": ACPI power-down requested, waiting up to " + timeoutMillis + " ms");
                graceful = i.awaitGone(timeoutMillis);
            } catch (QmpException | HypervisorException e) {
                journal.record(host, "vm " + vm + ": ACPI power-down not sent: " + e.getMessage());
            }
        }
        hardStop(i);
        forget(i);
        journal.record(host, "vm " + vm + (graceful ? " powered off gracefully (" : " did not power off in time; stopped hard (")
                + i.describe() + ")");
        return graceful;
    }

    /** QMP quit, then SIGKILL after the stop timeout; returns once the process is gone. */
    private void hardStop(QemuInstance i) throws HypervisorException {
        if (i.alive()) {
            try {
                QmpClient qmp = i.qmp;
                if (qmp != null && qmp.isOpen()) qmp.execute("quit", null, Math.min(QMP_TIMEOUT_MILLIS, config.stopTimeoutMillis()));
            } catch (QmpException e) {
                // qemu may close the monitor before answering quit; the wait below decides
            }
            if (!i.awaitGone(config.stopTimeoutMillis())) {
                journal.record(host, "vm " + i.vm + ": " + i.describe() + " still runs " + config.stopTimeoutMillis()
                        + " ms after quit; SIGKILL");
                i.handle.destroyForcibly();
                if (!i.awaitGone(KILL_WAIT_MILLIS)) {
                    synchronized (lock) { i.stopping = false; }
                    throw new HypervisorException("vm " + i.vm + ": " + i.describe() + " still runs "
                            + KILL_WAIT_MILLIS + " ms after SIGKILL");
                }
            }
        }
        i.closeMonitor();
    }

    private void forget(QemuInstance i) {
        synchronized (lock) {
            if (instances.get(i.vm) == i) instances.remove(i.vm);
        }
        deleteTransientFiles(i);
        i.migrated.completeExceptionally(new IllegalStateException("instance stopped"));
    }

    @Override
    public void acknowledgeExit(String vm) {
        synchronized (lock) {
            QemuInstance i = instances.get(vm);
            if (i != null && !i.state.running() && !i.starting && !i.incoming) instances.remove(vm);
        }
    }

    /** QMP {@code system_reset} (then {@code cont} if the guest was paused, e.g. by a panic): same process, instance and epoch. */
    @Override
    public void reset(String vm, String reason) throws HypervisorException {
        QemuInstance i = runningInstance(vm, "reset");
        try {
            QmpClient qmp = monitor(i);
            String before = qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
            qmp.execute("system_reset", null, QMP_TIMEOUT_MILLIS);
            if (!before.equals("running")) qmp.execute("cont", null, QMP_TIMEOUT_MILLIS);
            synchronized (lock) { i.panicked = false; }
            journal.record(host, "vm " + vm + " reset (" + i.describe() + " kept; it was " + before + "): " + reason);
        } catch (QmpException e) {
            throw new HypervisorException("vm " + vm + ": reset failed: " + e.getMessage(), e);
        }
    }

    // ---- guest ping ----------------------------------------------------------------------------------

    @Override
    public GuestPing pingGuest(String vm, long timeoutMillis) {
        QemuInstance i;
        synchronized (lock) {
            i = instances.get(vm);
            if (i == null || !i.state.running() || i.incoming || i.starting) return GuestPing.NOT_MONITORED;
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
            synchronized (lock) {
                if (i.panicked) return GuestPing.PANICKED; // seen while we waited
            }
            return reply.answered() ? GuestPing.OK : GuestPing.NO_ANSWER;
        } catch (RuntimeException e) {
            return GuestPing.NO_ANSWER;
        } finally {
            i.agentBusy.release();
        }
    }

    // ---- migration (source side) ---------------------------------------------------------------------

    /**
     * Live-migrates {@code vm} to a qemu waiting on {@code uri}. On success the source qemu is stopped and
     * forgotten; on failure (or after {@code timeoutMillis}, then cancelled) it keeps running here and the
     * exception names the reason.
     */
    public void migrate(String vm, String uri, long timeoutMillis) throws HypervisorException {
        if (!MigrationRun.acceptedUri(uri)) {
            throw new HypervisorException("vm " + vm + ": " + new InvalidInputException("migration-uri", uri,
                    "a migration URI starting with one of " + MigrationRun.URI_SCHEMES).getMessage());
        }
        QemuInstance i = runningInstance(vm, "migrate");
        journal.record(host, "vm " + vm + ": live migration of " + i.describe() + " to " + uri + " started");
        MigrationRun.Outcome outcome;
        try {
            outcome = MigrationRun.run(monitor(i), uri, timeoutMillis);
        } catch (QmpException e) {
            outcome = new MigrationRun.Outcome(false, "QMP: " + e.getMessage(), 0);
        }
        if (!outcome.completed()) {
            String resumed;
            try {
                resumed = "it was " + MigrationRun.ensureRunning(monitor(i)) + ", runs here";
            } catch (QmpException | HypervisorException e) {
                resumed = "could not make sure it runs: " + e.getMessage();
            }
            String message = "vm " + vm + ": live migration to " + uri + " failed: " + outcome.reason() + " (" + resumed + ")";
            journal.record(host, message);
            throw new HypervisorException(message);
        }
        synchronized (lock) { i.stopping = true; }
        journal.record(host, "vm " + vm + ": live migration to " + uri + " completed in " + outcome.millis() + " ms");
        hardStop(i);
        forget(i);
        journal.record(host, "vm " + vm + " stopped " + i.describe() + ": migrated to " + uri);
        notifyChange();
    }

    // ---- events and exits ----------------------------------------------------------------------------

    private QmpClient.Listener listener(QemuInstance i) {
        return new QmpClient.Listener() {
            @Override
            public void event(String name, JsonNode data) {
                onEvent(i, name, data);
            }

            @Override
            public void closed(String reason) {
                onMonitorClosed(i, reason);
            }
        };
    }

    /** On a QMP reader thread: record, never block. */
    private void onEvent(QemuInstance i, String name, JsonNode data) {
        switch (name) {
            case "SHUTDOWN":
                synchronized (lock) { i.shutdownReason = data.path("reason").asText("unknown"); }
                journal.record(host, "vm " + i.vm + ": qemu reports SHUTDOWN (" + data.path("reason").asText("?") + ")");
                break;
            case "GUEST_PANICKED":
                synchronized (lock) { i.panicked = true; }
                journal.record(host, "vm " + i.vm + ": guest panicked (" + data.path("action").asText("?") + ")");
                notifyChange();
                break;
            case "RESET":
                journal.record(host, "vm " + i.vm + ": guest reset (" + data.path("reason").asText("?") + ")");
                break;
            case "RESUME":
                promoteIfIncoming(i);
                break;
            case "MIGRATION":
                boolean incoming;
                synchronized (lock) { incoming = i.incoming; }
                if (incoming) journal.record(host, "vm " + i.vm + ": incoming migration " + data.path("status").asText("?"));
                break;
            default:
                break; // RTC_CHANGE, NIC_RX_FILTER_CHANGED...: nothing HA needs
        }
    }

    /** The incoming migration completed: the guest now runs here. */
    private void promoteIfIncoming(QemuInstance i) {
        LocalVm running;
        synchronized (lock) {
            if (!i.incoming || i.stopping || instances.get(i.vm) != i) return;
            i.incoming = false;
            i.state = new LocalVm(i.vm, i.epoch, i.instanceId, true, "");
            running = i.state;
            try {
                rewriteState(QemuStateFile.read(i.files.state()).asRunning(), i.files);
            } catch (IOException e) {
                journal.record(host, "vm " + i.vm + ": cannot read state file " + i.files.state() + ": " + e.getMessage());
            }
        }
        journal.record(host, "vm " + i.vm + ": incoming migration completed, " + i.describe() + " runs");
        i.migrated.complete(running);
        notifyChange();
    }

    private void pollIncoming(QemuInstance i) {
        QmpClient qmp = i.qmp;
        if (qmp == null || !qmp.isOpen()) return;
        try {
            if (qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("").equals("running")) {
                promoteIfIncoming(i);
            }
        } catch (QmpException e) {
            // the exit path reports a dead qemu
        }
    }

    /** On a QMP reader thread: qemu closed its monitor, which it does when it dies. Confirm by the pid. */
    private void onMonitorClosed(QemuInstance i, String reason) {
        synchronized (lock) {
            if (closed || i.stopping || instances.get(i.vm) != i) return;
        }
        long since = System.nanoTime();
        schedule(() -> confirmGone(i, reason, since), 0);
    }

    private void confirmGone(QemuInstance i, String reason, long sinceNanos) {
        if (!i.alive()) {
            exited(i);
        } else if (System.nanoTime() - sinceNanos < TimeUnit.MILLISECONDS.toNanos(EOF_CONFIRM_MILLIS)) {
            schedule(() -> confirmGone(i, reason, sinceNanos), 5);
        } else {
            journal.record(host, "vm " + i.vm + ": QMP monitor lost (" + reason + ") but " + i.describe()
                    + " still runs; reconnecting");
        }
    }

    private void exited(QemuInstance i) {
        String detail;
        boolean wasIncoming;
        synchronized (lock) {
            if (closed || i.stopping || i.starting || instances.get(i.vm) != i) return;
            if (!i.state.running() && !i.incoming) return;
            detail = i.exitDetail();
            wasIncoming = i.incoming;
            if (wasIncoming) {
                instances.remove(i.vm);
                i.incoming = false;
            }
            i.state = new LocalVm(i.vm, i.epoch, i.instanceId, false, detail);
        }
        i.closeMonitor();
        deleteTransientFiles(i);
        if (wasIncoming) {
            journal.record(host, "vm " + i.vm + ": incoming " + i.describe() + " exited before its migration completed: "
                    + detail + tail(i.files.log(), 0));
            i.migrated.completeExceptionally(new IllegalStateException("qemu exited: " + detail));
        } else {
            journal.record(host, "vm " + i.vm + " exited: " + detail + " (" + i.describe() + ")");
        }
        notifyChange();
    }

    /** Every 100 ms: exits nobody reported (adopted processes), and monitors to reconnect. */
    private void checkAll() {
        List<QemuInstance> live = new ArrayList<>();
        synchronized (lock) {
            for (QemuInstance i : instances.values()) {
                if (!i.stopping && !i.starting && (i.state.running() || i.incoming)) live.add(i);
            }
        }
        for (QemuInstance i : live) {
            if (!i.alive()) {
                exited(i);
            } else if (i.qmp == null || !i.qmp.isOpen()) {
                maybeReconnect(i);
            }
        }
    }

    private void maybeReconnect(QemuInstance i) {
        synchronized (lock) {
            long now = System.nanoTime();
            if (now - i.lastReconnectNanos < TimeUnit.MILLISECONDS.toNanos(RECONNECT_EVERY_MILLIS)) return;
            i.lastReconnectNanos = now;
        }
        try {
            reconnector.execute(() -> {
                try {
                    QmpClient qmp = QmpClient.connect(i.files.qmp(), QMP_TIMEOUT_MILLIS, listener(i), threadName(i));
                    synchronized (lock) {
                        if (closed || i.stopping || instances.get(i.vm) != i) {
                            qmp.close();
                            return;
                        }
                        i.qmp = qmp;
                    }
                    journal.record(host, "vm " + i.vm + ": QMP monitor reconnected (" + i.describe() + ")");
                } catch (QmpException e) {
                    // retried on a later check; an exit is found by the pid check
                }
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            // close() raced us
        }
    }

    private void watch(QemuInstance i) {
        try {
            i.handle.onExit().whenCompleteAsync((ignored, error) -> exited(i), watcher);
        } catch (RejectedExecutionException closedMeanwhile) {
            // close() raced us: exits are no longer watched, by contract
        }
    }

    private void schedule(Runnable task, long delayMillis) {
        try {
            watcher.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closedMeanwhile) {
            // closed: no more watching
        }
    }

    private void notifyChange() {
        try {
            notifier.execute(() -> {
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    journal.record(host, "qemu hypervisor: change listener failed: " + e);
                }
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            // closed: listeners are no longer called
        }
    }

    // ---- adoption ------------------------------------------------------------------------------------

    private void adoptFromStateFiles() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config.runDir(), "*" + VmFiles.STATE_SUFFIX)) {
            for (Path file : files) adopt(file);
        } catch (IOException e) {
            journal.record(host, "qemu hypervisor: cannot list state files in " + config.runDir() + ": " + e);
        }
    }

    private void adopt(Path file) {
        String name = file.getFileName().toString();
        String vm = name.substring(0, name.length() - VmFiles.STATE_SUFFIX.length());
        VmFiles files = VmFiles.of(config.runDir(), vm);
        QemuStateFile s;
        try {
            s = QemuStateFile.read(file);
        } catch (IOException e) {
            journal.record(host, "vm " + vm + ": removed unreadable state file " + file + ": " + e.getMessage());
            deleteQuietly(files.transient_());
            return;
        }
        var handle = ProcessHandle.of(s.pid());
        if (handle.isEmpty() || !ProcessProbe.runs(s.pid(), QemuCommand.instanceArgument(s.instanceId()))) {
            journal.record(host, "vm " + vm + ": removed stale state file (instance " + s.instanceId() + ", pid "
                    + s.pid() + " no longer runs it)");
            deleteQuietly(files.transient_());
            return;
        }
        QemuInstance i = new QemuInstance(vm, s.epoch(), s.instanceId(), files, handle.get(), null, s.agentSocket() != null);
        String status = "unknown (no QMP yet)";
        try {
            i.qmp = QmpClient.connect(files.qmp(), QMP_TIMEOUT_MILLIS, listener(i), threadName(i));
            status = i.qmp.execute("query-status", null, QMP_TIMEOUT_MILLIS).path("status").asText("");
        } catch (QmpException e) {
            journal.record(host, "vm " + vm + ": adopted without a QMP monitor for now (" + e.getMessage() + "); retrying");
        }
        synchronized (lock) {
            i.incoming = status.equals("inmigrate") || s.incoming() && !status.equals("running");
            i.panicked = status.equals("guest-panicked");
            if (!i.incoming) i.state = new LocalVm(vm, s.epoch(), s.instanceId(), true, "");
            instances.put(vm, i);
        }
        if (s.incoming() && !i.incoming) rewriteState(s.asRunning(), files); // migrated while no daemon watched
        journal.record(host, "vm " + vm + " adopted " + i.describe() + ", qemu status " + status);
        watch(i);
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private QemuInstance runningInstance(String vm, String what) throws HypervisorException {
        synchronized (lock) {
            QemuInstance i = instances.get(vm);
            if (i == null || !i.state.running() || i.starting || i.incoming || i.stopping) {
                throw new HypervisorException("vm " + vm + ": no running instance on " + host + " to " + what);
            }
            return i;
        }
    }

    private static QmpClient monitor(QemuInstance i) throws HypervisorException {
        QmpClient qmp = i.qmp;
        if (qmp == null || !qmp.isOpen()) {
            throw new HypervisorException("vm " + i.vm + ": no QMP connection to " + i.describe() + " right now");
        }
        return qmp;
    }

    private void deleteTransientFiles(QemuInstance i) {
        // Only if the state file is still ours: a new instance of the VM may have been started meanwhile.
        try {
            if (Files.exists(i.files.state()) && !QemuStateFile.read(i.files.state()).instanceId().equals(i.instanceId)) return;
        } catch (IOException unreadable) {
            // ours or garbage: delete
        }
        deleteQuietly(i.files.transient_());
    }

    private void deleteQuietly(List<Path> files) {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                journal.record(host, "qemu hypervisor: cannot delete " + f + ": " + e.getMessage());
            }
        }
    }

    private void rewriteState(QemuStateFile s, VmFiles files) {
        try {
            s.write(files.state());
        } catch (IOException e) {
            journal.record(host, "qemu hypervisor: cannot update state file " + files.state() + ": " + e.getMessage());
        }
    }

    private static String tail(Path log, long offset) {
        String text = ProcessProbe.tail(log, offset, LOG_TAIL_BYTES);
        return text.isEmpty() ? "" : "; qemu log (" + log + "):\n" + text;
    }

    private String threadName(QemuInstance i) {
        return "qemu-" + host + "-qmp-" + i.vm;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static long nextStamp() {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        return LAST_STAMP.updateAndGet(last -> Math.max(last + 1, now));
    }

    /** Stops watching and closes the monitors; VMs keep running (a daemon restart must not kill VMs). Idempotent. */
    @Override
    public void close() {
        List<QemuInstance> all;
        synchronized (lock) {
            if (closed) return;
            closed = true;
            all = new ArrayList<>(instances.values());
        }
        watcher.shutdownNow();
        reconnector.shutdownNow();
        notifier.shutdown();
        for (QemuInstance i : all) i.closeMonitor();
    }
}
