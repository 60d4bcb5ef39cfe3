package io.vmha.system.libvirt;

import io.vmha.core.VmSpec;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.LocalVm;
import io.vmha.hypervisor.libvirt.LibvirtConfig;
import io.vmha.hypervisor.libvirt.LibvirtHypervisor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.vmha.system.libvirt.LibvirtFixture.virsh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The libvirt driver against a real libvirtd (started by system-tests/libvirt-up): diskless 64 MiB
 * {@code type='qemu'} domains that boot to SeaBIOS and stay running. Every domain is named with this
 * run's prefix and removed after each test, also on failure.
 */
class LibvirtHypervisorIT {
    private static LibvirtFixture fixture;
    private final String prefix = "vmha-it-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff)) + "-";
    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Long> changes = new LinkedBlockingQueue<>();
    private final List<LibvirtHypervisor> drivers = new ArrayList<>();
    @TempDir
    Path run;

    @BeforeAll
    static void libvirtd() throws Exception {
        fixture = new LibvirtFixture();
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        if (fixture != null) fixture.close();
    }

    @BeforeEach
    void clean() throws Exception {
        LibvirtFixture.removeDomains(prefix);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (LibvirtHypervisor d : drivers) d.close();
        LibvirtFixture.removeDomains(prefix);
        assertFalse(virsh(true, "list", "--all", "--name").contains(prefix), "every test domain removed");
    }

    private LibvirtHypervisor driver(String host, long pollMillis) {
        LibvirtConfig config = LibvirtConfig.defaults(run.resolve(host)).withPollIntervalMillis(pollMillis);
        LibvirtHypervisor d = new LibvirtHypervisor(host, config, (source, line) -> journal.add(source + ": " + line),
                () -> changes.add(System.nanoTime()));
        drivers.add(d);
        return d;
    }

    /** Events only: a poll this slow never runs within a test, so what is detected came from the stream. */
    private LibvirtHypervisor eventsOnly(String host) { return driver(host, 3_600_000); }

    private VmSpec spec(String vm, Map<String, String> params) {
        return new VmSpec(prefix + vm, 64, 1, "sim", params, true, List.of());
    }

    @Test
    void defineStartStateStop() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        VmSpec spec = spec("a", Map.of());
        LocalVm vm = d.start(spec, 5);
        assertTrue(vm.running());
        assertEquals(5, vm.epoch());
        assertEquals(vm, d.instances().get(spec.name()));
        assertEquals("running (booted)", virsh(false, "domstate", "--reason", spec.name()).strip());
        String xml = virsh(false, "dumpxml", spec.name());
        assertTrue(xml.contains("epoch=\"5\"") && xml.contains("instance=\"" + vm.instanceId() + "\"") && xml.contains("host=\"h1\""), xml);
        assertTrue(virsh(false, "dominfo", spec.name()).matches("(?s).*Persistent:\\s+yes.*"));

        HypervisorException twice = assertThrows(HypervisorException.class, () -> d.start(spec, 6));
        assertTrue(twice.getMessage().contains("already runs"), twice.getMessage());

        d.stop(spec.name(), "test");
        assertTrue(d.instances().isEmpty());
        assertFalse(virsh(true, "list", "--all", "--name").contains(spec.name()), "stop undefines the domain");
        d.stop(spec.name(), "again"); // idempotent
        assertTrue(changes.isEmpty(), "a stop is not a change to report: " + changes);
    }

    @Test
    void killOfQemuIsReportedThroughTheEventStreamWithin1sAtP99() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        int runs = 20;
        long[] latencies = new long[runs];
        for (int i = 0; i < runs; i++) {
            VmSpec spec = spec("k" + i, Map.of());
            d.start(spec, 1);
            settle();
            long pid = d.pid(spec.name()).orElseThrow();
            changes.clear();
            long killed = System.nanoTime();
            kill9(pid);
            Long changed = changes.poll(10, TimeUnit.SECONDS);
            assertNotNull(changed, "no onChange within 10 s of kill -9 of run " + i);
            latencies[i] = TimeUnit.NANOSECONDS.toMicros(changed - killed);
            LocalVm exited = d.instances().get(spec.name());
            assertFalse(exited.running());
            assertTrue(exited.exitDetail().contains("shut off (crashed)") && exited.exitDetail().contains("lifecycle event Stopped Failed"),
                    exited.exitDetail());
            d.acknowledgeExit(spec.name());
            assertTrue(d.instances().isEmpty());
            assertFalse(virsh(true, "list", "--all", "--name").contains(spec.name()), "acknowledgeExit undefines");
        }
        Arrays.sort(latencies);
        double p50 = latencies[runs / 2 - 1] / 1000.0;
        double p99 = latencies[(int) Math.ceil(0.99 * runs) - 1] / 1000.0;
        System.out.printf("libvirt kill -9 -> onChange over %d runs: p50 %.1f ms, p99 %.1f ms, min %.1f ms, max %.1f ms%n",
                runs, p50, p99, latencies[0] / 1000.0, latencies[runs - 1] / 1000.0);
        assertTrue(p99 <= 1000, "p99 " + p99 + " ms");
    }

    @Test
    void destroyFromOutsideIsAnExit() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        VmSpec spec = spec("o", Map.of());
        d.start(spec, 1);
        virsh(false, "destroy", spec.name());
        assertNotNull(changes.poll(10, TimeUnit.SECONDS));
        assertTrue(d.instances().get(spec.name()).exitDetail().contains("shut off (destroyed)"), d.instances().toString());
    }

    @Test
    void resetKeepsInstanceEpochAndProcess() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        VmSpec spec = spec("r", Map.of());
        LocalVm before = d.start(spec, 9);
        long pid = d.pid(spec.name()).orElseThrow();
        d.reset(spec.name(), "test");
        assertEquals(before, d.instances().get(spec.name()));
        assertEquals(pid, d.pid(spec.name()).orElseThrow(), "same qemu process");
        assertTrue(journal.stream().anyMatch(l -> l.contains("reset (instance " + before.instanceId())), journal.toString());
        assertThrows(HypervisorException.class, () -> d.reset(prefix + "none", "no such vm"));
    }

    @Test
    void guestPanicIsPanickedUntilReset() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        VmSpec spec = spec("p", Map.of());
        LocalVm before = d.start(spec, 2);
        assertEquals(GuestPing.NOT_MONITORED, d.pingGuest(spec.name(), 1000));
        // The guest's pvpanic write, done from qemu's monitor since a SeaBIOS guest has no kernel to panic.
        virsh(false, "qemu-monitor-command", "--hmp", spec.name(), "o /b 0x505 1");
        assertNotNull(changes.poll(10, TimeUnit.SECONDS), "panic reported");
        assertEquals(GuestPing.PANICKED, d.pingGuest(spec.name(), 1000));
        assertTrue(d.instances().get(spec.name()).running(), "a preserved panicked domain is still an instance");
        d.reset(spec.name(), "panicked");
        assertEquals("running", virsh(false, "domstate", spec.name()).strip());
        assertEquals(GuestPing.NOT_MONITORED, d.pingGuest(spec.name(), 1000));
        assertEquals(before, d.instances().get(spec.name()));
    }

    @Test
    void operatorDomainXmlWithOnCrashDestroyTurnsAPanicIntoAnExit() throws Exception {
        Path file = run.resolve("operator.xml");
        Files.writeString(file, "<domain type='qemu'><name>operator-name</name><memory unit='MiB'>64</memory>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><on_crash>destroy</on_crash>"
                + "<devices><panic model='isa'/></devices></domain>");
        LibvirtHypervisor d = eventsOnly("h1");
        VmSpec spec = spec("op", Map.of("domain-xml", file.toString()));
        LocalVm vm = d.start(spec, 4);
        String xml = virsh(false, "dumpxml", spec.name());
        assertTrue(xml.contains("<name>" + spec.name() + "</name>") && xml.contains("instance=\"" + vm.instanceId() + "\""), xml);
        assertTrue(cmdline(d.pid(spec.name()).orElseThrow()).contains(d.processMarker()));
        virsh(false, "qemu-monitor-command", "--hmp", spec.name(), "o /b 0x505 1");
        assertNotNull(changes.poll(10, TimeUnit.SECONDS), "panic reported");
        LocalVm exited = d.instances().get(spec.name());
        System.out.println("libvirt panic with on_crash=destroy: " + exited.exitDetail());
        assertFalse(exited.running(), exited.toString());
        assertTrue(exited.exitDetail().contains("shut off (crashed)"), exited.exitDetail());
    }

    @Test
    void secondDriverAdoptsRunningDomainsOfItsHostOnly() throws Exception {
        LibvirtHypervisor first = eventsOnly("h1");
        VmSpec spec = spec("adopt", Map.of("guest-agent", "true"));
        LocalVm started = first.start(spec, 42);
        first.close();
        assertEquals("running", virsh(false, "domstate", spec.name()).strip(), "close leaves domains running");

        LibvirtHypervisor other = eventsOnly("h2");
        assertFalse(other.instances().containsKey(spec.name()), "another host's domain is not adopted");
        HypervisorException running = assertThrows(HypervisorException.class, () -> other.start(spec, 43));
        assertTrue(running.getMessage().contains("already runs here (running (booted))"), running.getMessage());

        LibvirtHypervisor second = eventsOnly("h1");
        assertEquals(started, second.instances().get(spec.name()));
        assertTrue(journal.stream().anyMatch(l -> l.contains("adopted instance " + started.instanceId())), journal.toString());
        assertEquals(GuestPing.NO_ANSWER, second.pingGuest(spec.name(), 1000), "the agent channel is known after adoption");
        kill9(second.pid(spec.name()).orElseThrow());
        assertNotNull(changes.poll(10, TimeUnit.SECONDS), "exit of an adopted domain reported");
        assertFalse(second.instances().get(spec.name()).running());
    }

    @Test
    void eventStreamIsRestartedAfterItsVirshIsKilled() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        long first = awaitPid(d, -1);
        // Our own stream's virsh by pid: the same as `pkill -f 'virsh.*event'`, without touching other users' processes.
        kill9(first);
        long second = awaitPid(d, first);
        assertNotEquals(first, second);
        assertTrue(d.eventStreamRestarts() >= 1);
        assertTrue(journal.stream().anyMatch(l -> l.contains("libvirt event stream (virsh pid " + first + ") ended with exit 137")
                && l.contains("restarting it in")), journal.toString());
        await(() -> journal.stream().anyMatch(l -> l.contains("libvirt event stream restarted (virsh pid " + second)), 5_000,
                "restart journaled: " + journal);

        VmSpec spec = spec("s", Map.of());
        d.start(spec, 1);
        settle();
        kill9(d.pid(spec.name()).orElseThrow());
        assertNotNull(changes.poll(5, TimeUnit.SECONDS), "exit seen by the restarted stream");
        assertTrue(d.instances().get(spec.name()).exitDetail().contains("lifecycle event Stopped"), d.instances().toString());
    }

    @Test
    void pollFindsAnExitWhileTheEventStreamIsDown() throws Exception {
        // A dead stream waits 60 s before its restart here, so only the 300 ms poll can find the exit.
        LibvirtConfig config = new LibvirtConfig(LibvirtFixture.URI, "virsh", run.resolve("h1"), LibvirtConfig.DEFAULT_PID_DIRECTORY,
                60_000, 60_000, 300, 10_000, 30_000);
        LibvirtHypervisor d = new LibvirtHypervisor("h1", config, (source, line) -> journal.add(source + ": " + line),
                () -> changes.add(System.nanoTime()));
        drivers.add(d);
        VmSpec spec = spec("poll", Map.of());
        d.start(spec, 1);
        settle();
        kill9(awaitPid(d, -1));
        await(() -> d.eventStreamPid() == -1, 5_000, "event stream down");
        kill9(d.pid(spec.name()).orElseThrow());
        assertNotNull(changes.poll(10, TimeUnit.SECONDS), "exit found");
        LocalVm exited = d.instances().get(spec.name());
        assertFalse(exited.running());
        assertTrue(exited.exitDetail().contains("reconciliation poll"), exited.exitDetail());
    }

    @Test
    void pingGuestWithoutAndWithAnAgentChannel() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        VmSpec plain = spec("nochan", Map.of());
        VmSpec agent = spec("chan", Map.of("guest-agent", "true"));
        d.start(plain, 1);
        d.start(agent, 1);
        assertEquals(GuestPing.NOT_MONITORED, d.pingGuest(plain.name(), 1000));
        assertEquals(GuestPing.NOT_MONITORED, d.pingGuest(prefix + "unknown", 1000));
        for (long timeout : new long[] {300, 1000, 2000}) {
            long t0 = System.nanoTime();
            assertEquals(GuestPing.NO_ANSWER, d.pingGuest(agent.name(), timeout));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("libvirt pingGuest without an agent, timeout %d ms: NO_ANSWER after %d ms%n", timeout, ms);
            assertTrue(ms <= timeout + 500, "answered after " + ms + " ms, timeout " + timeout);
        }
    }

    @Test
    void runningPidsCarryTheMarkerAndNothingElseDoes() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        VmSpec a = spec("m1", Map.of());
        VmSpec b = spec("m2", Map.of("guest-agent", "true", "pvpanic", "false", "network", "user",
                "emulator", qemuBinary()));
        d.start(a, 1);
        d.start(b, 1);
        List<Long> pids = d.runningPids();
        assertEquals(2, pids.size(), pids.toString());
        String marker = d.processMarker();
        assertTrue(marker.length() >= 4);
        for (long pid : pids) {
            List<String> argv = cmdline(pid);
            assertTrue(argv.stream().anyMatch(arg -> arg.contains(marker)), "marker in " + argv);
            assertTrue(argv.get(0).contains("qemu-system"), argv.get(0));
        }
        List<String> argvB = cmdline(d.pid(b.name()).orElseThrow());
        assertTrue(argvB.contains("guest=" + b.name() + ",debug-threads=on"), argvB.toString());
        assertEquals(qemuBinary(), argvB.get(0), "the emulator parameter");
        assertTrue(argvB.stream().anyMatch(arg -> arg.contains("\"type\":\"user\"")), "user-mode network: " + argvB);
        assertTrue(argvB.stream().noneMatch(arg -> arg.contains("pvpanic")), "pvpanic=false: " + argvB);
        assertTrue(cmdline(d.pid(a.name()).orElseThrow()).stream().anyMatch(arg -> arg.contains("pvpanic")), "pvpanic by default");
        // Every process on this machine whose argv carries the marker is a qemu of a vmha libvirt domain.
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                List<String> argv = cmdline(Long.parseLong(name));
                if (argv.isEmpty() || argv.stream().noneMatch(arg -> arg.contains(marker))) continue;
                assertTrue(argv.get(0).contains("qemu-system") && argv.contains("-smbios"), "unexpected match: " + argv);
            }
        }
        assertFalse(String.join(" ", cmdline(ProcessHandle.current().pid())).contains(marker));
    }

    @Test
    void failedStartsLeaveNothingBehindAndSayWhy() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        VmSpec missingKernel = spec("nokernel", Map.of("kernel", run.resolve("no-such-vmlinuz").toString()));
        HypervisorException e = assertThrows(HypervisorException.class, () -> d.start(missingKernel, 1));
        System.out.println("libvirt failed start says: " + e.getMessage());
        assertTrue(e.getMessage().contains("virsh start") && e.getMessage().contains("no-such-vmlinuz"), e.getMessage());
        assertTrue(d.instances().isEmpty());
        assertFalse(virsh(true, "list", "--all", "--name").contains(missingKernel.name()), "no definition left");

        e = assertThrows(HypervisorException.class, () -> d.start(spec("x", Map.of("kernal", "/boot/vmlinuz")), 1));
        assertTrue(e.getMessage().contains("\"kernal\" is not accepted"), e.getMessage());

        // A domain of that name that vmha did not define is never replaced.
        Path foreign = run.resolve("foreign.xml");
        Files.writeString(foreign, "<domain type='qemu'><name>" + prefix + "foreign</name><memory unit='MiB'>64</memory>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>");
        virsh(false, "define", foreign.toString());
        e = assertThrows(HypervisorException.class, () -> d.start(spec("foreign", Map.of()), 1));
        assertTrue(e.getMessage().contains("without vmha metadata"), e.getMessage());
        assertTrue(virsh(false, "dumpxml", prefix + "foreign").contains("<name>" + prefix + "foreign</name>"));
    }

    @Test
    void gracefulShutdownOfAGuestThatIgnoresItFallsBackToDestroy() throws Exception {
        LibvirtHypervisor d = eventsOnly("h1");
        VmSpec spec = spec("g", Map.of());
        d.start(spec, 1);
        long t0 = System.nanoTime();
        assertFalse(d.shutdownGracefully(spec.name(), 1000), "SeaBIOS without a boot disk ignores ACPI power-off");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 1000);
        assertTrue(d.instances().isEmpty());
        assertFalse(virsh(true, "list", "--all", "--name").contains(spec.name()));
        assertTrue(changes.isEmpty(), "our own shutdown is not an exit to report");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Lets the driver's one check right after a start pass, so that a kill is found by the event stream. */
    private static void settle() throws InterruptedException {
        Thread.sleep(300);
    }

    private static String qemuBinary() {
        return io.vmha.system.SystemTools.require("qemu-system-x86_64", "qemu-system-x86").toString();
    }

    private static long awaitPid(LibvirtHypervisor d, long not) throws InterruptedException {
        await(() -> d.eventStreamPid() > 0 && d.eventStreamPid() != not, 10_000, "event stream running (not pid " + not + ")");
        return d.eventStreamPid();
    }

    private static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("not within " + millis + " ms: " + what);
            Thread.sleep(20);
        }
    }

    private static void kill9(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -9 " + pid);
    }

    private static List<String> cmdline(long pid) {
        try {
            String raw = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
        } catch (IOException gone) {
            return List.of();
        }
    }
}
