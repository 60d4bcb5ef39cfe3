package io.vmha.health;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe adapters against local servers and real commands. */
class ProbesTest {
    @Test
    void tcpPassesWhileSomethingListensAndFailsOnceItIsGone() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            ProbeOutcome up = new TcpProbe("127.0.0.1:" + port, 2000).run();
            assertEquals(ProbeOutcome.Status.PASS, up.status(), up.detail());
            assertTrue(up.latencyMillis() >= 0);
        }
        ProbeOutcome down = new TcpProbe("127.0.0.1:" + port, 2000).run();
        assertEquals(ProbeOutcome.Status.FAIL, down.status(), down.detail());
        assertTrue(down.detail().contains("127.0.0.1:" + port), down.detail());
        assertFalse(new TcpProbe("no-such-host.invalid:80", 2000).run().ok());
    }

    @Test
    void httpJudgesTheStatusAndTimesOut() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", x -> { x.sendResponseHeaders(200, -1); x.close(); });
        server.createContext("/down", x -> { x.sendResponseHeaders(503, -1); x.close(); });
        server.createContext("/slow", x -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertEquals(ProbeOutcome.Status.PASS, new HttpProbe(base + "/ok", 200, 2000).run().status());
            ProbeOutcome down = new HttpProbe(base + "/down", 200, 2000).run();
            assertEquals(ProbeOutcome.Status.FAIL, down.status());
            assertTrue(down.detail().contains("status 503, expected 200"), down.detail());
            assertEquals(ProbeOutcome.Status.PASS, new HttpProbe(base + "/down", 503, 2000).run().status());
            ProbeOutcome slow = new HttpProbe(base + "/slow", 200, 500).run();
            assertEquals(ProbeOutcome.Status.TIMEOUT, slow.status(), slow.detail());
            assertTrue(slow.latencyMillis() >= 400 && slow.latencyMillis() < 2900, slow.toString());
        } finally {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
        ProbeOutcome refused = new HttpProbe("http://127.0.0.1:" + server.getAddress().getPort() + "/ok", 200, 1000).run();
        assertEquals(ProbeOutcome.Status.FAIL, refused.status(), refused.detail());
    }

    @Test
    void execPassesOnExitZeroFailsOtherwiseAndKillsOnTimeout() throws Exception {
        assertEquals(ProbeOutcome.Status.PASS, new ExecProbe(List.of("/bin/true"), 2000).run().status());
        ProbeOutcome no = new ExecProbe(List.of("/bin/false"), 2000).run();
        assertEquals(ProbeOutcome.Status.FAIL, no.status());
        assertEquals("/bin/false exit 1", no.detail());
        assertEquals(ProbeOutcome.Status.ERROR, new ExecProbe(List.of("/no/such/check"), 2000).run().status());

        String marker = "vmha-exec-probe-test-" + ProcessHandle.current().pid();
        ProbeOutcome hung = new ExecProbe(List.of("/bin/sh", "-c", "sleep 30; : " + marker), 300).run();
        assertEquals(ProbeOutcome.Status.TIMEOUT, hung.status(), hung.detail());
        Thread.sleep(200);
        boolean left = ProcessHandle.allProcesses().anyMatch(p -> p.info().arguments()
                .map(a -> String.join(" ", a).contains(marker)).orElse(false));
        assertFalse(left, "the timed-out probe was not killed");
    }
}
