package io.vmha.system.qemu;

import io.vmha.core.VmSpec;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.LocalVm;
import io.vmha.hypervisor.qemu.QemuConfig;
import io.vmha.hypervisor.qemu.QemuHypervisor;
import io.vmha.hypervisor.sim.SimTestSupport;
import io.vmha.system.SystemTools;
import io.vmha.system.guest.GuestAgentTestClient;
import io.vmha.system.guest.GuestFaults;
import io.vmha.system.guest.TinyGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The project's tiny Linux guest ({@link TinyGuest}, booted through the qemu driver's own parameters; TCG, so
 * 10-20 s) under the qemu driver: the guest agent answers {@code pingGuest}, a real kernel panic (sysrq through
 * guest-exec) reaches the driver as GUEST_PANICKED through pvpanic, and a reset brings the same instance back to
 * a guest that answers again.
 */
class QemuGuestIT {
    Path dir;
    final SimTestSupport.RecordingJournal journal = new SimTestSupport.RecordingJournal();
    final LinkedBlockingQueue<Long> changes = new LinkedBlockingQueue<>();
    QemuHypervisor driver;

    @BeforeEach
    void setUp() throws IOException {
        SystemTools.require("qemu-system-x86_64", "qemu-system-x86");
        SystemTools.require("setsid", "util-linux");
        dir = Files.createTempDirectory(Path.of("/tmp"), "vg");
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (driver != null) driver.close();
        List<ProcessHandle> left = QemuHypervisorIT.processesMentioning(dir.toString());
        QemuHypervisorIT.killAll(left);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertTrue(left.isEmpty(), "qemu left behind: " + left);
    }

    @Test
    void agentAnswersPanicIsSeenAndResetRevivesTheGuest() throws Exception {
        TinyGuest guest = TinyGuest.get();
        driver = new QemuHypervisor("h1", new QemuConfig("qemu-system-x86_64", dir.resolve("run"), 2_000, 20_000),
                journal, () -> changes.add(System.nanoTime()));
        VmSpec spec = new VmSpec("guest1", 128, 1, "qemu", guest.driverParams(TinyGuest.freeLocalPort()), true, List.of());
        long t0 = System.nanoTime();
        LocalVm vm = driver.start(spec, 3);
        long bootMillis = awaitPing(GuestPing.OK, 120_000);
        System.out.printf("guest agent answered %d ms after start (TCG boot)%n", bootMillis);
        assertTrue(Files.readString(driver.consoleFile("guest1")).contains(TinyGuest.READY_MARKER));

        long p0 = System.nanoTime();
        assertEquals(GuestPing.OK, driver.pingGuest("guest1", 2_000));
        System.out.printf("pingGuest OK in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - p0));

        // The test's own agent connection is brief: qemu serves one client on the socket at a time.
        try (GuestAgentTestClient agent = GuestAgentTestClient.connect(agentSocket(), Duration.ofSeconds(5))) {
            GuestFaults.panic(agent); // sysrq-c a second later: a real kernel panic, pvpanic, GUEST_PANICKED
        }
        changes.clear();
        long panicAsked = System.nanoTime();
        Long seen = changes.poll(60, TimeUnit.SECONDS);
        if (seen == null) fail("no change reported after the panic; journal " + journal.lines);
        System.out.printf("panic reported %d ms after the trigger was armed (the guest waits ~1 s before sysrq-c)%n",
                TimeUnit.NANOSECONDS.toMillis(seen - panicAsked));
        long q0 = System.nanoTime();
        assertEquals(GuestPing.PANICKED, driver.pingGuest("guest1", 5_000));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - q0) < 1_000, "PANICKED needs no agent round trip");
        assertTrue(journal.lines.stream().anyMatch(l -> l.contains("vm guest1: guest panicked (pause)")), journal.lines.toString());
        assertTrue(readQuietly(driver.consoleFile("guest1")).contains("Kernel panic - not syncing: sysrq triggered crash"),
                "the panic is the guest kernel's own");
        assertEquals(vm, driver.instances().get("guest1"), "a paused, panicked guest is still a running instance");

        driver.reset("guest1", "test: panicked");
        assertTrue(journal.lines.stream().anyMatch(l -> l.contains("it was guest-panicked")), journal.lines.toString());
        assertEquals(vm, driver.instances().get("guest1"), "same instance and epoch after the reset");
        long rebootMillis = awaitPing(GuestPing.OK, 120_000);
        System.out.printf("after reset, the agent answered again in %d ms%n", rebootMillis);
        driver.stop("guest1", "test");
        System.out.printf("whole guest test: %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    }

    private Path agentSocket() {
        return driver.consoleFile("guest1").resolveSibling("guest1.qga");
    }

    /** Pings with 1 s timeouts until {@code wanted}; earlier unanswered syncs must not confuse later pings. */
    private long awaitPing(GuestPing wanted, long maxMillis) throws InterruptedException {
        long t0 = System.nanoTime();
        GuestPing last = null;
        while (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < maxMillis) {
            last = driver.pingGuest("guest1", 1_000);
            if (last == wanted) return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            Thread.sleep(200);
        }
        return fail("pingGuest never " + wanted + " (last " + last + "); console:\n" + readQuietly(driver.consoleFile("guest1")));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
