package io.vmha.hypervisor.libvirt;

import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import io.vmha.core.port.LocalVm;
import org.w3c.dom.Document;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code libvirt} driver of one host: each VM instance is a persistent libvirt domain named after the
 * VM, driven through {@code virsh} (see the package documentation for the choices an operator sees).
 *
 * <p>Exits are found by the lifecycle event stream ({@link EventStream}), each event confirmed with
 * {@code domstate --reason} because events may arrive late; a reconciliation poll every
 * {@link LibvirtConfig#pollIntervalMillis()} is the backstop. Exits turn the instance {@code running=false}
 * and {@code onChange} runs on this driver's watcher thread, which must therefore not be blocked.
 */
public final class LibvirtHypervisor implements Hypervisor, AutoCloseable {
    /** Last instance-id stamp handed out in this JVM: strictly increasing wall-clock micros. */
    private static final AtomicLong LAST_STAMP = new AtomicLong();

    private final String host;
    private final LibvirtConfig config;
    private final Journal journal;
    private final Runnable onChange;
    private final Domains domains;
    private final Virsh virsh;
    private final ScheduledThreadPoolExecutor watcher;
    private final EventStream events;
    private final Object lock = new Object();
    private final Map<String, Instance> instances = new HashMap<>();
    private boolean closed;

    /** One instance this driver knows. Guarded by {@code lock}. */
    private static final class Instance {
        LocalVm state;
        final boolean guestAgent;
        boolean panicked;
        /** The driver itself is starting, stopping or resetting it: what libvirt reports meanwhile is ours. */
        boolean busy;
        /** Bumped by every driver action, so a state read before it is not applied after it. */
        long generation;

        Instance(LocalVm state, boolean guestAgent) {
            this.state = state;
            this.guestAgent = guestAgent;
        }
    }

    /**
     * Connects to libvirt, adopts the running domains this host started earlier (their vmha metadata names
     * this host) and starts watching. Throws if libvirtd cannot be asked: without the list of running
     * domains the host could start a VM twice.
     */
    public LibvirtHypervisor(String host, LibvirtConfig config, Journal journal, Runnable onChange) {
        this.host = Objects.requireNonNull(host, "host");
        this.config = Objects.requireNonNull(config, "config");
        this.journal = Objects.requireNonNull(journal, "journal");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        try {
            Files.createDirectories(config.domainsDirectory());
            Files.createDirectories(config.logsDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("libvirt hypervisor " + host + ": cannot create " + config.runDirectory(), e);
        }
        this.virsh = new Virsh(config.virsh(), config.uri(), config.commandTimeoutMillis());
        this.domains = new Domains(virsh);
        this.watcher = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "libvirt-hypervisor-" + host + "-watcher");
            t.setDaemon(true);
            return t;
        });
        this.events = new EventStream(host, virsh, config, journal, this::onEvent, () -> later(500, this::checkAll));
        events.start(); // before adoption, so that no exit falls between the listing and the subscription
        try {
            adopt();
        } catch (HypervisorException e) {
            close();
            throw new IllegalStateException("libvirt hypervisor " + host + ": cannot list the domains of "
                    + config.uri() + ": " + e.getMessage(), e);
        }
        watcher.scheduleWithFixedDelay(this::poll, config.pollIntervalMillis(), config.pollIntervalMillis(),
                TimeUnit.MILLISECONDS);
        later(0, this::checkAll);
    }

    @Override
    public String processMarker() { return DomainXml.MARKER_ARGUMENT; }

    /** From libvirt's pid files ({@code <pidDirectory>/<domain>.pid}) of the running instances. */
    @Override
    public List<Long> runningPids() {
        List<String> running = new ArrayList<>();
        synchronized (lock) {
            instances.forEach((vm, i) -> { if (i.state.running()) running.add(vm); });
        }
        List<Long> pids = new ArrayList<>();
        for (String vm : running) pid(vm).ifPresent(pids::add);
        return pids;
    }

    /** The qemu pid of {@code vm}'s domain from libvirt's pid file, if it runs. */
    public Optional<Long> pid(String vm) {
        try {
            return Optional.of(Long.parseLong(Files.readString(config.pidDirectory().resolve(vm + ".pid")).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public SortedMap<String, LocalVm> instances() {
        synchronized (lock) {
            SortedMap<String, LocalVm> snapshot = new TreeMap<>();
            instances.forEach((vm, i) -> snapshot.put(vm, i.state));
            return snapshot;
        }
    }

    // ---- start, stop, reset ------------------------------------------------------------------------

    @Override
    public LocalVm start(VmSpec spec, long epoch) throws HypervisorException {
        String vm = spec.name();
        InstanceTag tag = new InstanceTag(epoch, host + ".e" + epoch + "." + nextStamp(), host);
        DomainDefinition definition;
        try {
            definition = DomainDefinition.of(spec, tag);
        } catch (DomainXmlException | InvalidInputException e) {
            throw new HypervisorException("vm " + vm + ": " + e.getMessage(), e);
        }
        Instance instance = new Instance(new LocalVm(vm, epoch, tag.instanceId(), true, ""), definition.guestAgent());
        instance.busy = true;
        synchronized (lock) {
            if (closed) throw new HypervisorException("vm " + vm + ": libvirt hypervisor of " + host + " is closed");
            Instance current = instances.get(vm);
            if (current != null && (current.state.running() || current.busy)) {
                throw new HypervisorException("vm " + vm + " already runs on " + host + " as instance "
                        + current.state.instanceId());
            }
            instances.put(vm, instance); // replaces an exited, unacknowledged instance
        }
        try {
            requireFree(vm);
            Path file = config.domainsDirectory().resolve(vm + ".xml");
            write(file, definition.xml());
            domains.define(file);
            try {
                domains.start(vm);
                awaitActive(vm);
            } catch (HypervisorException e) {
                cleanUpFailedStart(vm, tag.instanceId());
                throw e;
            }
        } catch (HypervisorException e) {
            synchronized (lock) { if (instances.get(vm) == instance) instances.remove(vm); }
            throw new HypervisorException("vm " + vm + ": cannot start on " + host + ": " + e.getMessage(), e);
        }
        synchronized (lock) { instance.busy = false; }
        journal.record(host, "vm " + vm + " started instance " + tag.instanceId() + " (libvirt domain " + vm
                + ", pid " + pid(vm).map(String::valueOf).orElse("?") + ")");
        later(0, () -> check(vm, "after start")); // an exit during the start was not watched
        return instance.state;
    }

    @Override
    public void stop(String vm, String reason) throws HypervisorException {
        Instance instance = claim(vm);
        if (instance == null) return;
        try {
            if (instance.state.running()) domains.destroy(vm, config.stopTimeoutMillis());
        } catch (HypervisorException e) {
            release(instance);
            throw new HypervisorException("vm " + vm + ": cannot stop instance " + instance.state.instanceId() + ": " + e.getMessage(), e);
        }
        forget(vm, instance, "stopped instance " + instance.state.instanceId() + ": " + reason);
    }

    /**
     * Asks the guest to power off (ACPI, {@code virsh shutdown}), waits up to {@code timeoutMillis}, then
     * powers it off hard; afterwards like {@link #stop}. Returns true if the guest powered off by itself.
     */
    public boolean shutdownGracefully(String vm, long timeoutMillis) throws HypervisorException {
        Instance instance = claim(vm);
        if (instance == null) return true;
        boolean clean;
        try {
            clean = !instance.state.running() || domains.shutdown(vm, timeoutMillis);
            if (!clean) domains.destroy(vm, config.stopTimeoutMillis());
        } catch (HypervisorException e) {
            release(instance);
            throw new HypervisorException("vm " + vm + ": cannot shut down instance " + instance.state.instanceId() + ": " + e.getMessage(), e);
        }
        forget(vm, instance, clean ? "shut down instance " + instance.state.instanceId() + " (the guest powered off)"
                : "instance " + instance.state.instanceId() + " did not power off within " + timeoutMillis + " ms: destroyed");
        return clean;
    }

    /** Forgets an exited instance and removes its libvirt definition (see the package documentation). */
    @Override
    public void acknowledgeExit(String vm) {
        Instance instance;
        synchronized (lock) {
            instance = instances.get(vm);
            if (instance == null || instance.state.running() || instance.busy) return;
            instances.remove(vm);
        }
        try {
            String done = domains.undefineIfOurs(vm, instance.state.instanceId());
            journal.record(host, "vm " + vm + ": exit of instance " + instance.state.instanceId() + " acknowledged; " + done);
        } catch (HypervisorException e) {
            journal.record(host, "vm " + vm + ": exit acknowledged, but its definition stays: " + e.getMessage());
        }
    }

    /**
     * {@code virsh reset}: the same domain, instance and epoch, only the guest reboots. A panicked guest
     * (kept by {@code on_crash=preserve}) is left paused by the reset, so it is resumed too.
     */
    @Override
    public void reset(String vm, String reason) throws HypervisorException {
        Instance instance;
        synchronized (lock) {
            instance = instances.get(vm);
            if (instance == null || !instance.state.running() || instance.busy) {
                throw new HypervisorException("vm " + vm + ": no running instance on " + host + " to reset");
            }
            instance.busy = true;
            instance.generation++;
        }
        try {
            domains.reset(vm);
            Optional<DomainState> after = domains.state(vm);
            if (after.isPresent() && after.get().state().equals("paused")) domains.resume(vm);
        } catch (HypervisorException e) {
            release(instance);
            later(0, () -> check(vm, "after a failed reset"));
            throw new HypervisorException("vm " + vm + ": cannot reset instance " + instance.state.instanceId() + ": " + e.getMessage(), e);
        }
        synchronized (lock) {
            instance.panicked = false;
            instance.busy = false;
            instance.generation++;
        }
        journal.record(host, "vm " + vm + " reset (instance " + instance.state.instanceId() + "): " + reason);
        later(0, () -> check(vm, "after reset"));
    }

    // ---- guest ping --------------------------------------------------------------------------------

    /**
     * {@code virsh qemu-agent-command VM '{"execute":"guest-ping"}' --timeout S}. PANICKED while the guest
     * sits panicked; NOT_MONITORED without a guest-agent channel or a running instance.
     */
    @Override
    public GuestPing pingGuest(String vm, long timeoutMillis) {
        synchronized (lock) {
            Instance i = instances.get(vm);
            if (i == null || !i.state.running()) return GuestPing.NOT_MONITORED;
            if (i.panicked) return GuestPing.PANICKED;
            if (!i.guestAgent) return GuestPing.NOT_MONITORED;
        }
        long seconds = Math.max(1, (timeoutMillis + 999) / 1000);
        try {
            Virsh.Result r = virsh.run(Math.max(timeoutMillis, 100), "qemu-agent-command", vm,
                    "{\"execute\":\"guest-ping\"}", "--timeout", Long.toString(seconds));
            if (r.ok() && r.stdout().contains("\"return\"")) return GuestPing.OK;
            if (r.stderr().contains("not configured") || r.stderr().contains("not running")) return GuestPing.NOT_MONITORED;
            return GuestPing.NO_ANSWER; // "not connected", "not responding", "timeout", ...
        } catch (IOException | RuntimeException e) {
            return GuestPing.NO_ANSWER; // virsh killed at our deadline
        }
    }

    /** Stops the event stream and the poll; running domains keep running. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
        }
        events.close();
        watcher.shutdownNow();
    }

    /** The pid of the virsh event stream now running, -1 if none (for tests and diagnostics). */
    public long eventStreamPid() { return events.pid(); }

    /** How often the event stream was restarted since this driver started. */
    public long eventStreamRestarts() { return events.restarts(); }

    // ---- watching ----------------------------------------------------------------------------------

    private void onEvent(LifecycleEvent event) {
        synchronized (lock) {
            if (!instances.containsKey(event.domain())) return;
        }
        later(0, () -> check(event.domain(), "lifecycle event " + event));
    }

    /** The poll: one {@code virsh list}; instances missing from the active domains are checked one by one. */
    private void poll() {
        Set<String> active;
        try {
            active = new HashSet<>(domains.names(false));
        } catch (HypervisorException e) {
            journal.record(host, "libvirt reconciliation poll failed: " + e.getMessage());
            return;
        }
        for (String vm : watchedVms()) if (!active.contains(vm)) check(vm, "reconciliation poll");
    }

    private void checkAll() {
        for (String vm : watchedVms()) check(vm, "re-check after the event stream (re)started");
    }

    private List<String> watchedVms() {
        List<String> vms = new ArrayList<>();
        synchronized (lock) {
            instances.forEach((vm, i) -> { if (i.state.running() && !i.busy) vms.add(vm); });
        }
        return vms;
    }

    /** Reads the domain's state and applies it; {@code why} says what prompted the look. Watcher thread. */
    private void check(String vm, String why) {
        Instance instance;
        long generation;
        synchronized (lock) {
            instance = instances.get(vm);
            if (closed || instance == null || instance.busy || !instance.state.running()) return;
            generation = instance.generation;
        }
        Optional<DomainState> state;
        try {
            state = domains.state(vm);
        } catch (HypervisorException e) {
            journal.record(host, "vm " + vm + ": cannot read its state (" + why + "): " + e.getMessage());
            return; // libvirtd unreachable is not an exit
        }
        String exit = null;
        boolean changed = false;
        synchronized (lock) {
            if (closed || instances.get(vm) != instance || instance.busy || instance.generation != generation
                    || !instance.state.running()) return;
            if (state.isEmpty()) {
                exit = "libvirt domain undefined from outside vmha (" + why + ")";
            } else if (!state.get().active()) {
                exit = "libvirt: " + state.get() + " (" + why + ")";
            } else if (state.get().panicked() != instance.panicked) {
                instance.panicked = state.get().panicked();
                changed = true;
            }
            if (exit != null) {
                LocalVm s = instance.state;
                instance.state = new LocalVm(vm, s.epoch(), s.instanceId(), false, exit);
                changed = true;
            }
        }
        if (!changed) return;
        journal.record(host, exit != null
                ? "vm " + vm + " exited: " + exit + " (instance " + instance.state.instanceId() + ")"
                : "vm " + vm + (instance.panicked ? " guest panicked: libvirt " : " no longer panicked: libvirt ")
                        + state.get() + " (instance " + instance.state.instanceId() + ")");
        try {
            onChange.run();
        } catch (RuntimeException e) {
            journal.record(host, "vm " + vm + ": change listener failed: " + e);
        }
    }

    private void adopt() throws HypervisorException {
        for (Adoption.Found f : Adoption.scan(host, domains, journal)) {
            Instance instance = new Instance(new LocalVm(f.vm(), f.tag().epoch(), f.tag().instanceId(), true, ""), f.guestAgent());
            instance.panicked = f.state().panicked();
            synchronized (lock) { instances.put(f.vm(), instance); }
            journal.record(host, "vm " + f.vm() + " adopted instance " + f.tag().instanceId() + " (libvirt: " + f.state()
                    + ", pid " + pid(f.vm()).map(String::valueOf).orElse("?") + ")");
        }
    }

    private void later(long delayMillis, Runnable task) {
        try {
            watcher.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closedMeanwhile) {
            // close() raced us: nothing is watched any more, by contract
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Marks the VM's instance as the driver's to stop; null if there is none. */
    private Instance claim(String vm) throws HypervisorException {
        synchronized (lock) {
            Instance instance = instances.get(vm);
            if (instance == null) return null;
            if (instance.busy) throw new HypervisorException("vm " + vm + ": another operation on it is under way");
            instance.busy = true;
            instance.generation++;
            return instance;
        }
    }

    private void release(Instance instance) {
        synchronized (lock) {
            instance.busy = false;
            instance.generation++;
        }
    }

    private void forget(String vm, Instance instance, String what) {
        String undefined;
        try {
            undefined = domains.undefineIfOurs(vm, instance.state.instanceId());
        } catch (HypervisorException e) {
            undefined = "its definition stays: " + e.getMessage();
        }
        synchronized (lock) { if (instances.get(vm) == instance) instances.remove(vm); }
        journal.record(host, "vm " + vm + " " + what + "; " + undefined);
    }

    /** A domain of that name that runs, or that is not vmha's, is never replaced. */
    private void requireFree(String vm) throws HypervisorException {
        Optional<DomainState> state = domains.state(vm);
        if (state.isEmpty()) return;
        if (state.get().active()) {
            throw new HypervisorException("a libvirt domain named " + vm + " already runs here (" + state.get() + ")");
        }
        Optional<Document> xml = domains.xml(vm, true);
        if (xml.isPresent() && DomainXml.tag(xml.get()).isEmpty()) {
            throw new HypervisorException("a libvirt domain named " + vm + " is defined here without vmha metadata"
                    + " (not vmha's); refusing to replace it");
        }
    }

    private void awaitActive(String vm) throws HypervisorException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.stopTimeoutMillis());
        while (true) {
            Optional<DomainState> s = domains.state(vm);
            if (s.isPresent() && s.get().state().equals("running")) return;
            if (s.isEmpty() || !s.get().active() || System.nanoTime() > deadline) {
                throw new HypervisorException("domain " + vm + " is " + s.map(String::valueOf).orElse("gone")
                        + " after virsh start, not running");
            }
            Domains.sleep(50);
        }
    }

    private void cleanUpFailedStart(String vm, String instanceId) {
        try {
            domains.destroy(vm, config.stopTimeoutMillis());
            domains.undefineIfOurs(vm, instanceId);
        } catch (HypervisorException e) {
            journal.record(host, "vm " + vm + ": cleanup after a failed start incomplete: " + e.getMessage());
        }
    }

    private static void write(Path file, String xml) throws HypervisorException {
        try {
            Files.writeString(file, xml);
        } catch (IOException e) {
            throw new HypervisorException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static long nextStamp() {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        return LAST_STAMP.updateAndGet(last -> Math.max(last + 1, now));
    }
}
