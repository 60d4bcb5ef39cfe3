package io.vmha.system.qemu;

import io.vmha.core.VmSpec;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.LocalVm;
import io.vmha.hypervisor.qemu.QemuConfig;
import io.vmha.hypervisor.qemu.QemuHypervisor;
import io.vmha.hypervisor.sim.SimTestSupport;
import io.vmha.system.SystemTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Linux guest under the qemu driver (TCG, so it boots in 10-20 s): the guest agent answers
 * {@code pingGuest}, a kernel panic reaches the driver as GUEST_PANICKED through pvpanic, and a reset
 * brings the same instance back to a guest that answers again.
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
        TestGuest guest = TestGuest.build(dir);
        driver = new QemuHypervisor("h1", new QemuConfig("qemu-system-x86_64", dir.resolve("run"), 2_000, 20_000),
                journal, () -> changes.add(System.nanoTime()));
        VmSpec spec = new VmSpec("guest1", 128, 1, "sim", guest.params(), true, List.of());
        long t0 = System.nanoTime();
        LocalVm vm = driver.start(spec, 3);
        long bootMillis = awaitPing(GuestPing.OK, 120_000);
        System.out.printf("guest agent answered %d ms after start (TCG boot)%n", bootMillis);
        assertTrue(Files.readString(driver.consoleFile("guest1")).contains("vmha-test-guest: agent started"));

        long p0 = System.nanoTime();
        assertEquals(GuestPing.OK, driver.pingGuest("guest1", 2_000));
        System.out.printf("pingGuest OK in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - p0));

        changes.clear();
        long panicAsked = System.nanoTime();
        createFileThroughAgent(driver, "/tmp/panic"); // the guest's init exits: kernel panic, pvpanic, GUEST_PANICKED
        Long seen = changes.poll(60, TimeUnit.SECONDS);
        if (seen == null) fail("no change reported after the panic; journal " + journal.lines);
        System.out.printf("panic reported %d ms after the trigger%n", TimeUnit.NANOSECONDS.toMillis(seen - panicAsked));
        long q0 = System.nanoTime();
        assertEquals(GuestPing.PANICKED, driver.pingGuest("guest1", 5_000));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - q0) < 1_000, "PANICKED needs no agent round trip");
        assertTrue(journal.lines.stream().anyMatch(l -> l.contains("vm guest1: guest panicked (pause)")), journal.lines.toString());
        assertEquals(vm, driver.instances().get("guest1"), "a paused, panicked guest is still a running instance");

        driver.reset("guest1", "test: panicked");
        assertTrue(journal.lines.stream().anyMatch(l -> l.contains("it was guest-panicked")), journal.lines.toString());
        assertEquals(vm, driver.instances().get("guest1"), "same instance and epoch after the reset");
        long rebootMillis = awaitPing(GuestPing.OK, 120_000);
        System.out.printf("after reset, the agent answered again in %d ms%n", rebootMillis);
        driver.stop("guest1", "test");
        System.out.printf("whole guest test: %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
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

    /** guest-file-open(path, "w") straight on the agent socket (the driver only pings). */
    private static void createFileThroughAgent(QemuHypervisor driver, String path) throws IOException, InterruptedException {
        Path socket = driver.consoleFile("guest1").resolveSibling("guest1.qga");
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            String request = "{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"" + path + "\",\"mode\":\"w\"}}\n";
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            ByteBuffer reply = ByteBuffer.allocate(4096);
            ch.read(reply); // the handle; the guest dies shortly after
            String text = new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
            assertTrue(text.contains("\"return\""), "guest-file-open: " + text);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
