package io.vmha.hypervisor.sim;

import io.vmha.core.VmSpec;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import io.vmha.core.port.LocalVm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code sim} driver of one host: VM instances are bash loops writing to {@code <sharedDir>/disks}
 * (see the package documentation for why a daemon crash takes its VMs with it).
 *
 * <p>Exits of instances this driver spawned are reported at once by {@link Process#onExit()}: the
 * instance turns {@code running=false} and {@code onChange} runs on this driver's watcher thread, which
 * must therefore not be blocked. Instances adopted from state files are watched by
 * {@link ProcessHandle#onExit()} plus a 100 ms liveness check, because the JDK only polls (from 300 ms up
 * to 5 s) for processes that are not its children.
 */
public final class SimHypervisor implements Hypervisor, AutoCloseable {
    private static final long STOP_WAIT_MILLIS = 2_000;
    private static final long ADOPTED_CHECK_MILLIS = 100;
    /** Last instance-id stamp handed out in this JVM: strictly increasing wall-clock micros. */
    private static final AtomicLong LAST_STAMP = new AtomicLong();

    private final String host;
    private final Path disksDir;
    private final Path stateDir;
    private final Journal journal;
    private final Runnable onChange;
    private final long daemonPid = ProcessHandle.current().pid();
    private final ScheduledThreadPoolExecutor watcher;
    private final Object lock = new Object();
    private final Map<String, Instance> instances = new HashMap<>();
    private boolean closed;

    /** One instance this driver knows; {@code state} is replaced, never mutated. Guarded by {@code lock}. */
    private static final class Instance {
        final ProcessHandle handle;
        final boolean adopted;
        LocalVm state;
        boolean stopping;

        Instance(ProcessHandle handle, boolean adopted, LocalVm state) {
            this.handle = handle;
            this.adopted = adopted;
            this.state = state;
        }
    }

    public SimHypervisor(String hostName, Path sharedDir, Path stateDir, Journal journal, Runnable onChange) {
        this.host = Objects.requireNonNull(hostName, "hostName");
        this.disksDir = sharedDir.resolve("disks");
        this.stateDir = stateDir;
        this.journal = Objects.requireNonNull(journal, "journal");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        try {
            Files.createDirectories(disksDir);
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("sim hypervisor " + host + ": cannot create " + disksDir + " or " + stateDir, e);
        }
        this.watcher = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sim-hypervisor-" + host + "-watcher");
            t.setDaemon(true);
            return t;
        });
        adoptFromStateFiles();
        watcher.scheduleWithFixedDelay(this::checkAdopted, ADOPTED_CHECK_MILLIS, ADOPTED_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** What every sim VM's command line carries: the fence guard kills only processes that show it. */
    public static final String MARKER = SimVmProcess.PROCESS_NAME;

    @Override
    public String processMarker() {
        return MARKER;
    }

    @Override
    public List<Long> runningPids() {
        synchronized (lock) {
            List<Long> pids = new ArrayList<>();
            for (Instance i : instances.values()) if (i.state.running()) pids.add(i.handle.pid());
            return pids;
        }
    }

    /** Where the instances of {@code vm} write, on any host sharing {@code sharedDir}. */
    public static Path diskFile(Path sharedDir, String vm) {
        return sharedDir.resolve("disks").resolve(vm + ".disk");
    }

    @Override
    public SortedMap<String, LocalVm> instances() {
        synchronized (lock) {
            SortedMap<String, LocalVm> snapshot = new TreeMap<>();
            instances.forEach((vm, i) -> snapshot.put(vm, i.state));
            return snapshot;
        }
    }

    @Override
    public LocalVm start(VmSpec spec, long epoch) throws HypervisorException {
        return launch(spec.name(), epoch);
    }

    private LocalVm launch(String vm, long epoch) throws HypervisorException {
        Instance instance;
        Process process;
        synchronized (lock) {
            if (closed) throw new HypervisorException("vm " + vm + ": sim hypervisor of " + host + " is closed");
            Instance current = instances.get(vm);
            if (current != null && current.state.running()) {
                throw new HypervisorException("vm " + vm + " already runs on " + host + " as instance "
                        + current.state.instanceId() + " (pid " + current.handle.pid() + ")");
            }
            String instanceId = host + ".e" + epoch + "." + nextStamp();
            try {
                process = SimVmProcess.spawn(disksDir.resolve(vm + ".disk"), instanceId, daemonPid);
            } catch (IOException e) {
                throw new HypervisorException("vm " + vm + ": cannot start a sim instance on " + host + ": " + e.getMessage(), e);
            }
            try {
                new StateFile(process.pid(), epoch, instanceId).write(stateDir, vm);
            } catch (IOException e) {
                process.destroyForcibly();
                throw new HypervisorException("vm " + vm + ": cannot write its state file in " + stateDir + ": " + e.getMessage(), e);
            }
            instance = new Instance(process.toHandle(), false, new LocalVm(vm, epoch, instanceId, true, ""));
            instances.put(vm, instance);
        }
        journal.record(host, "vm " + vm + " started instance " + instance.state.instanceId() + " (pid " + process.pid() + ")");
        watch(process.onExit(), () -> exited(instance, SimVmProcess.describeExit(process.exitValue())));
        return instance.state;
    }

    @Override
    public void stop(String vm, String reason) throws HypervisorException {
        Instance instance;
        synchronized (lock) {
            instance = instances.get(vm);
            if (instance == null) return;
            instance.stopping = true;
        }
        ProcessHandle handle = instance.handle;
        if (instance.state.running() && handle.isAlive()) {
            handle.destroyForcibly();
            try {
                awaitGone(handle, STOP_WAIT_MILLIS);
            } catch (TimeoutException e) {
                synchronized (lock) { instance.stopping = false; }
                throw new HypervisorException("vm " + vm + ": instance " + instance.state.instanceId() + " (pid "
                        + handle.pid() + ") still runs " + STOP_WAIT_MILLIS + " ms after SIGKILL");
            }
        }
        synchronized (lock) {
            if (instances.get(vm) == instance) instances.remove(vm);
            deleteStateFile(vm, instance.state.instanceId());
        }
        journal.record(host, "vm " + vm + " stopped instance " + instance.state.instanceId() + " (pid "
                + handle.pid() + "): " + reason);
    }

    @Override
    public void acknowledgeExit(String vm) {
        synchronized (lock) {
            Instance instance = instances.get(vm);
            if (instance != null && !instance.state.running()) instances.remove(vm);
        }
    }

    /**
     * A sim guest's reset: SIGKILL the loop and start a new one under the same epoch (a new instance id,
     * so the double-run checker tells the two apart; they never overlap, the old one is gone first).
     */
    @Override
    public void reset(String vm, String reason) throws HypervisorException {
        Instance old;
        synchronized (lock) {
            old = instances.get(vm);
            if (old == null || !old.state.running()) {
                throw new HypervisorException("vm " + vm + ": no running instance on " + host + " to reset");
            }
            old.stopping = true; // its exit is ours, not a crash
        }
        old.handle.destroyForcibly();
        try {
            awaitGone(old.handle, STOP_WAIT_MILLIS);
        } catch (TimeoutException e) {
            synchronized (lock) { old.stopping = false; }
            throw new HypervisorException("vm " + vm + ": instance " + old.state.instanceId() + " (pid "
                    + old.handle.pid() + ") still runs " + STOP_WAIT_MILLIS + " ms after SIGKILL");
        }
        synchronized (lock) {
            if (instances.get(vm) == old) instances.remove(vm);
            deleteStateFile(vm, old.state.instanceId());
        }
        journal.record(host, "vm " + vm + " reset (instance " + old.state.instanceId() + " killed): " + reason);
        launch(vm, old.state.epoch());
    }

    /**
     * A sim guest "answers" while its loop is schedulable: a loop stopped by SIGSTOP (state T in
     * /proc/PID/stat) is how the demo and the tests hang a sim guest.
     */
    @Override
    public GuestPing pingGuest(String vm, long timeoutMillis) {
        ProcessHandle handle;
        synchronized (lock) {
            Instance i = instances.get(vm);
            if (i == null || !i.state.running()) return GuestPing.NOT_MONITORED;
            handle = i.handle;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int close = stat.lastIndexOf(')');
            char state = close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state == 'T' || state == 't' ? GuestPing.NO_ANSWER : GuestPing.OK;
        } catch (IOException gone) {
            return GuestPing.NOT_MONITORED;
        }
    }

    /** Stops watching; running VMs are left running (a daemon restart must not kill VMs). Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
        }
        watcher.shutdownNow();
    }

    // ---- exits -------------------------------------------------------------------------------------

    private void exited(Instance instance, String detail) {
        String vm = instance.state.vm();
        synchronized (lock) {
            if (closed || instance.stopping || !instance.state.running() || instances.get(vm) != instance) return;
            instance.state = new LocalVm(vm, instance.state.epoch(), instance.state.instanceId(), false, detail);
            deleteStateFile(vm, instance.state.instanceId());
        }
        journal.record(host, "vm " + vm + " exited: " + detail + " (instance " + instance.state.instanceId()
                + ", pid " + instance.handle.pid() + ")");
        try {
            onChange.run();
        } catch (RuntimeException e) {
            journal.record(host, "vm " + vm + ": exit listener failed: " + e);
        }
    }

    /** Runs {@code onExit} on the watcher thread (not the JDK's reaper) once {@code exit} completes. */
    private void watch(CompletableFuture<?> exit, Runnable onExit) {
        try {
            exit.whenCompleteAsync((ignored, error) -> onExit.run(), watcher);
        } catch (RejectedExecutionException closedMeanwhile) {
            // close() raced us: exits are no longer watched, by contract
        }
    }

    /** The JDK polls non-children slowly, so adopted instances are also checked every 100 ms. */
    private void checkAdopted() {
        List<Instance> adopted = new ArrayList<>();
        synchronized (lock) {
            for (Instance i : instances.values()) if (i.adopted && i.state.running()) adopted.add(i);
        }
        for (Instance i : adopted) if (!i.handle.isAlive()) exited(i, adoptedExitDetail());
    }

    private static String adoptedExitDetail() {
        return "gone (adopted instance: exit status unknown)";
    }

    private static void awaitGone(ProcessHandle handle, long timeoutMillis) throws TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (handle.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new TimeoutException();
            try {
                handle.onExit().get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // re-check isAlive: the JDK's onExit of a non-child may lag
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TimeoutException("interrupted");
            } catch (ExecutionException e) {
                // cannot happen for onExit; fall through to isAlive
            }
        }
    }

    // ---- state files and adoption ------------------------------------------------------------------

    private void adoptFromStateFiles() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(stateDir, "*" + StateFile.SUFFIX)) {
            for (Path file : files) adopt(file);
        } catch (IOException e) {
            journal.record(host, "sim hypervisor: cannot list state files in " + stateDir + ": " + e);
        }
    }

    private void adopt(Path file) {
        String name = file.getFileName().toString();
        String vm = name.substring(0, name.length() - StateFile.SUFFIX.length());
        StateFile state;
        try {
            state = StateFile.read(file);
        } catch (IOException e) {
            journal.record(host, "vm " + vm + ": removed unreadable state file " + file + ": " + e.getMessage());
            deleteQuietly(file);
            return;
        }
        if (!SimVmProcess.runs(state.pid(), state.instanceId())) {
            journal.record(host, "vm " + vm + ": removed stale state file (instance " + state.instanceId() + ", pid "
                    + state.pid() + " no longer runs)");
            deleteQuietly(file);
            return;
        }
        ProcessHandle handle = ProcessHandle.of(state.pid()).orElseThrow();
        Instance instance = new Instance(handle, true, new LocalVm(vm, state.epoch(), state.instanceId(), true, ""));
        synchronized (lock) { instances.put(vm, instance); }
        journal.record(host, "vm " + vm + " adopted instance " + state.instanceId() + " (pid " + state.pid() + ")");
        watch(handle.onExit(), () -> exited(instance, adoptedExitDetail()));
    }

    /** Deletes the VM's state file only if it still describes {@code instanceId}. Called under lock. */
    private void deleteStateFile(String vm, String instanceId) {
        Path file = StateFile.path(stateDir, vm);
        try {
            if (Files.exists(file) && instanceId.equals(StateFile.read(file).instanceId())) Files.delete(file);
        } catch (IOException e) {
            deleteQuietly(file);
        }
    }

    private void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            journal.record(host, "sim hypervisor: cannot delete " + file + ": " + e.getMessage());
        }
    }

    private static long nextStamp() {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        return LAST_STAMP.updateAndGet(last -> Math.max(last + 1, now));
    }
}
