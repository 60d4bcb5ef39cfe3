package io.vmha.system.guest;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.system.SystemTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tiny guest under a bare qemu (TCG, 2 vCPUs): it boots to ready, its agent and health page answer, and
 * each failure the host can inject through the agent looks as vmha will see it: a panic (GUEST_PANICKED, agent
 * silent), a hang (agent silent while qemu says running), a dead application (health page down); system_reset
 * brings it back. Prints the boot figures later tests choose their minimum uptime from. One guest for the
 * class, used in order; each fault test ends with the guest healthy again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TinyGuestIT {
    /** TCG on a busy 2-core machine: generous, since these bound waits and never measure them. */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RawQemu qemu;
    private GuestConsole console;
    private QmpTestClient qmp;
    private GuestAgentTestClient agent;

    @BeforeAll
    void boot() throws Exception {
        Path qemuBinary = SystemTools.require("qemu-system-x86_64", "qemu-system-x86");
        SystemTools.require("cpio", "cpio");
        SystemTools.require("modprobe", "kmod");
        TinyGuest guest = TinyGuest.get();
        qemu = RawQemu.start(qemuBinary, guest, "pause");
        console = new GuestConsole(qemu.console);
        qmp = QmpTestClient.connect(qemu.qmpSocket, QMP_TIMEOUT);
        agent = GuestAgentTestClient.connect(qemu.agentSocket, QMP_TIMEOUT);
        System.out.printf("TinyGuestIT: kernel %s, qemu dir %s, http port %d%n",
                guest.kernelVersion(), qemu.dir, qemu.httpPort);
    }

    @AfterAll
    void cleanUp() throws IOException {
        try {
            if (agent != null) agent.close();
            if (qmp != null) qmp.close();
        } finally {
            if (qemu != null) {
                Path keep = Path.of("target", "tiny-guest-it");
                Files.createDirectories(keep);
                for (String name : new String[] {"console.log", "qemu.log"}) {
                    Path file = qemu.dir.resolve(name);
                    if (Files.exists(file)) Files.copy(file, keep.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
                qemu.close();
            }
        }
    }

    @Test
    @Order(1)
    void bootsToReadyAndTheAgentAnswers() throws Exception {
        // The console is watched on its own thread while this one pings from the start: both times are what
        // vmha could see after starting a VM (the earliest ready line, the earliest answered ping).
        CompletableFuture<Long> readySeen = CompletableFuture.supplyAsync(() -> {
            try {
                console.awaitLine(TinyGuest.READY_MARKER, 0, BOOT_TIMEOUT);
                return System.nanoTime();
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
        long firstPing = 0;
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (firstPing == 0) {
            assertTrue(qemu.alive(), () -> "qemu exited:\n" + qemu.log());
            if (System.nanoTime() - deadline > 0) {
                fail("no guest-ping answer within " + BOOT_TIMEOUT + "; console:\n" + console.tail(20));
            }
            if (agent.ping(Duration.ofSeconds(1))) firstPing = System.nanoTime();
        }
        long ready = readySeen.get(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        System.out.printf(Locale.ROOT, "TinyGuestIT: boot-to-ready %.2f s, time-to-first-ping %.2f s after qemu start"
                + " (TCG, 2 vCPUs, 128 MiB); console: %s%n", qemu.secondsSinceStart(ready),
                qemu.secondsSinceStart(firstPing), console.awaitLine(TinyGuest.READY_MARKER, 0, Duration.ZERO));
        assertTrue(agent.ping(PING_TIMEOUT), "a second ping answers too");
        assertEquals("running", qmp.status(QMP_TIMEOUT));
    }

    @Test
    @Order(2)
    void theHealthPageAnswersThroughTheForwardedPort() throws Exception {
        HttpResponse<String> response = health();
        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body().trim());
    }

    @Test
    @Order(3)
    void aKilledHttpdFailsTheHealthPageUntilStartedAgain() throws Exception {
        assertEquals(200, health().statusCode(), "healthy before the fault");
        GuestFaults.killHttpd(agent);
        assertHealthFails();
        assertTrue(agent.ping(PING_TIMEOUT), "only the application failed: the agent still answers");
        GuestFaults.startHttpd(agent);
        assertEquals(200, health().statusCode(), "httpd started again through guest-exec");
    }

    @Test
    @Order(4)
    void aPanicIsReportedByQmpAndSilencesTheAgentUntilReset() throws Exception {
        assertTrue(agent.ping(PING_TIMEOUT), "healthy before the fault");
        qmp.clearEvents();
        GuestFaults.panic(agent);
        JsonNode panicked = qmp.awaitEvent("GUEST_PANICKED", Duration.ofSeconds(30));
        assertEquals("pause", panicked.path("data").path("action").asText(), panicked::toString);
        assertEquals("guest-panicked", qmp.status(QMP_TIMEOUT), "-action panic=pause keeps the VM, stopped");
        assertFalse(agent.ping(PING_TIMEOUT), "a panicked guest's agent must not answer");
        assertTrue(console.tail(60).contains("Kernel panic"), () -> "no panic on the console:\n" + console.tail(20));

        resetAndAwaitReady("panic", true);
    }

    @Test
    @Order(5)
    void aHangSilencesTheAgentWhileQemuSaysRunningUntilReset() throws Exception {
        assertTrue(agent.ping(PING_TIMEOUT), "healthy before the fault");
        GuestFaults.hang(agent);
        Thread.sleep(2000); // the busy loops start a second after guest-exec answered
        for (int i = 0; i < 3; i++) {
            assertFalse(agent.ping(PING_TIMEOUT), "ping " + (i + 1) + " of a hung guest must time out");
            assertEquals("running", qmp.status(QMP_TIMEOUT), "a hung guest is still running for qemu");
        }
        resetAndAwaitReady("hang", false);
    }

    // After a panic with -action panic=pause, system_reset leaves the VM in "prelaunch": it needs a cont.
    private void resetAndAwaitReady(String after, boolean needsCont) throws Exception {
        long mark = console.mark();
        long reset = System.nanoTime();
        qmp.execute("system_reset", null, QMP_TIMEOUT);
        if (needsCont) {
            assertEquals("prelaunch", qmp.status(QMP_TIMEOUT), "system_reset from guest-panicked");
            qmp.execute("cont", null, QMP_TIMEOUT);
        }
        assertEquals("running", qmp.status(QMP_TIMEOUT));
        console.awaitLine(TinyGuest.READY_MARKER, mark, BOOT_TIMEOUT);
        long ready = System.nanoTime();
        long deadline = ready + Duration.ofSeconds(30).toNanos();
        while (!agent.ping(Duration.ofSeconds(1))) {
            if (System.nanoTime() - deadline > 0) fail("ready after reset, but the agent does not answer");
        }
        long ping = System.nanoTime();
        System.out.printf(Locale.ROOT, "TinyGuestIT: after %s: reset-to-ready %.2f s, reset-to-first-ping %.2f s%n",
                after, (ready - reset) / 1e9, (ping - reset) / 1e9);
        assertEquals(200, health().statusCode(), "the health page is back after the reset");
    }

    private HttpResponse<String> health() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + qemu.httpPort + TinyGuest.HEALTH_PATH))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void assertHealthFails() throws InterruptedException {
        try {
            HttpResponse<String> response = health();
            assertTrue(response.statusCode() != 200, "health page still answers 200 with httpd killed");
        } catch (IOException expected) {
            // connection reset: slirp accepted on the host side, the guest refused
        }
    }
}
