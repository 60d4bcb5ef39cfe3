package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** QmpClient against a scripted QMP peer on a real Unix socket: framing, correlation, events, bad input. */
class QmpClientTest {
    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": [\"oob\"]}}";
    /** Generous bounds: they only catch hangs, never measure speed. */
    static final long WAIT = 5_000;

    @TempDir
    Path tmp;
    final List<AutoCloseable> toClose = new ArrayList<>();
    final Recorder recorder = new Recorder();

    static final class Recorder implements QmpClient.Listener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String> closes = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void event(String name, JsonNode data) {
            events.add(name + " " + data);
        }

        @Override
        public void closed(String reason) {
            closes.add(reason);
            closed.countDown();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose) c.close();
    }

    /** A peer that greets and answers qmp_capabilities; returns it with the connected client. */
    QmpClient connected(FakeSocketPeer peer, int maxLine) throws Exception {
        peer.acceptAsync(GREETING);
        CompletableFuture<QmpClient> client = CompletableFuture.supplyAsync(() -> {
            try {
                return QmpClient.connect(tmp.resolve("qmp.sock"), WAIT, recorder, "test-qmp", maxLine);
            } catch (QmpException e) {
                throw new RuntimeException(e);
            }
        });
        String caps = peer.nextLine(WAIT);
        assertEquals("qmp_capabilities", QmpClient.JSON.readTree(caps).path("execute").asText());
        peer.send("{\"return\": {}, \"id\": \"" + FakeSocketPeer.idOf(caps) + "\"}\r\n");
        QmpClient c = client.get(WAIT, TimeUnit.MILLISECONDS);
        toClose.add(c);
        return c;
    }

    FakeSocketPeer peer() throws Exception {
        FakeSocketPeer peer = new FakeSocketPeer(tmp.resolve("qmp.sock"));
        toClose.add(peer);
        return peer;
    }

    @Test
    void repliesAreMatchedByIdEvenOutOfOrder() throws Exception {
        FakeSocketPeer peer = peer();
        QmpClient client = connected(peer, QmpClient.DEFAULT_MAX_LINE_BYTES);
        CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> exec(client, "query-status"));
        String firstLine = peer.nextLine(WAIT);
        CompletableFuture<JsonNode> second = CompletableFuture.supplyAsync(() -> exec(client, "query-name"));
        String secondLine = peer.nextLine(WAIT);
        peer.send("{\"return\": {\"name\": \"vm1\"}, \"id\": \"" + FakeSocketPeer.idOf(secondLine) + "\"}\r\n");
        peer.send("{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": \"" + FakeSocketPeer.idOf(firstLine) + "\"}\r\n");
        assertEquals("running", first.get(WAIT, TimeUnit.MILLISECONDS).path("status").asText());
        assertEquals("vm1", second.get(WAIT, TimeUnit.MILLISECONDS).path("name").asText());
    }

    @Test
    void errorReplyNamesQemusClassAndDescription() throws Exception {
        FakeSocketPeer peer = peer();
        QmpClient client = connected(peer, QmpClient.DEFAULT_MAX_LINE_BYTES);
        CompletableFuture<QmpException> failure = CompletableFuture.supplyAsync(
                () -> assertThrows(QmpException.class, () -> client.execute("migrate", QmpClient.args().put("uri", "bogus:"), WAIT)));
        String line = peer.nextLine(WAIT);
        assertEquals("bogus:", QmpClient.JSON.readTree(line).path("arguments").path("uri").asText());
        peer.send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"unknown migration protocol: bogus:\"}, \"id\": \""
                + FakeSocketPeer.idOf(line) + "\"}\r\n");
        QmpException e = failure.get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals("GenericError", e.errorClass());
        assertTrue(e.getMessage().contains("migrate failed: GenericError: unknown migration protocol: bogus:"), e.getMessage());
        assertTrue(client.isOpen(), "an error reply is not a protocol error");
    }

    @Test
    void eventsReachTheListenerInOrderBetweenReplies() throws Exception {
        FakeSocketPeer peer = peer();
        QmpClient client = connected(peer, QmpClient.DEFAULT_MAX_LINE_BYTES);
        CompletableFuture<JsonNode> reply = CompletableFuture.supplyAsync(() -> exec(client, "system_reset"));
        String line = peer.nextLine(WAIT);
        peer.send("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RESET\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-system-reset\"}}\r\n"
                + "{\"return\": {}, \"id\": \"" + FakeSocketPeer.idOf(line) + "\"}\r\n"
                + "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 3}, \"event\": \"GUEST_PANICKED\", \"data\": {\"action\": \"pause\"}}\r\n"
                + "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 4}, \"event\": \"STOP\"}\r\n");
        reply.get(WAIT, TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT);
        while (recorder.events.size() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(List.of("RESET {\"guest\":false,\"reason\":\"host-qmp-system-reset\"}",
                "GUEST_PANICKED {\"action\":\"pause\"}", "STOP {}"), recorder.events);
    }

    @Test
    void garbageDropsTheConnectionAndFailsPendingCommandsAtOnce() throws Exception {
        FakeSocketPeer peer = peer();
        QmpClient client = connected(peer, QmpClient.DEFAULT_MAX_LINE_BYTES);
        CompletableFuture<QmpException> failure = CompletableFuture.supplyAsync(
                () -> assertThrows(QmpException.class, () -> client.execute("query-status", null, 60_000)));
        peer.nextLine(WAIT);
        long t0 = System.nanoTime();
        peer.send("this is not json\r\n");
        QmpException e = failure.get(WAIT, TimeUnit.MILLISECONDS);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 10_000, "failed by the garbage, not the 60 s timeout");
        assertTrue(e.getMessage().contains("malformed data from qemu: not JSON: this is not json"), e.getMessage());
        assertTrue(recorder.closed.await(WAIT, TimeUnit.MILLISECONDS));
        assertFalse(client.isOpen());
        assertThrows(QmpException.class, () -> client.execute("query-status", null, WAIT));
        assertEquals(1, recorder.closes.size(), "closed is reported once: " + recorder.closes);
    }

    @Test
    void nonObjectJsonAndUnknownMessagesAreProtocolErrors() throws Exception {
        for (String bad : List.of("[1, 2, 3]", "{\"hello\": 1}", "{\"return\": {}} trailing")) {
            Recorder r = new Recorder();
            Path sock = tmp.resolve("q" + Math.abs(bad.hashCode()) + ".sock");
            FakeSocketPeer peer = new FakeSocketPeer(sock);
            toClose.add(peer);
            peer.acceptAsync(GREETING);
            CompletableFuture<QmpClient> client = CompletableFuture.supplyAsync(() -> {
                try {
                    return QmpClient.connect(sock, WAIT, r, "test-qmp", 1 << 16);
                } catch (QmpException e) {
                    throw new RuntimeException(e);
                }
            });
            String caps = peer.nextLine(WAIT);
            peer.send("{\"return\": {}, \"id\": \"" + FakeSocketPeer.idOf(caps) + "\"}\r\n");
            toClose.add(client.get(WAIT, TimeUnit.MILLISECONDS));
            peer.send(bad + "\r\n");
            assertTrue(r.closed.await(WAIT, TimeUnit.MILLISECONDS), "not dropped after " + bad);
            assertTrue(r.closes.get(0).startsWith("malformed data from qemu"), r.closes.toString());
        }
    }

    @Test
    void overLongLineIsAnErrorNotAnUnboundedBuffer() throws Exception {
        FakeSocketPeer peer = peer();
        QmpClient client = connected(peer, 64 * 1024);
        byte[] chunk = new byte[16 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        // 2 MiB without a newline: the client must give up at 64 KiB, and must stop reading (the write may then block).
        CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 128; i++) peer.send(chunk);
            } catch (Exception stoppedReading) {
                // expected once the client closed
            }
        });
        assertTrue(recorder.closed.await(WAIT, TimeUnit.MILLISECONDS), "over-long line did not drop the connection");
        assertTrue(recorder.closes.get(0).contains("line longer than 65536 bytes"), recorder.closes.toString());
        assertFalse(client.isOpen());
        peer.closeClient();
        flood.get(WAIT, TimeUnit.MILLISECONDS);
    }

    @Test
    void invalidUtf8IsAnError() throws Exception {
        FakeSocketPeer peer = peer();
        connected(peer, QmpClient.DEFAULT_MAX_LINE_BYTES);
        byte[] bad = "{\"event\": \"X\u0000\"}\r\n".getBytes(StandardCharsets.UTF_8);
        bad[11] = (byte) 0xc3; // a lone lead byte followed by '"'
        peer.send(bad);
        assertTrue(recorder.closed.await(WAIT, TimeUnit.MILLISECONDS));
        assertTrue(recorder.closes.get(0).contains("not valid UTF-8"), recorder.closes.toString());
    }

    @Test
    void noGreetingTimesOutInsteadOfHanging() throws Exception {
        FakeSocketPeer peer = peer();
        peer.acceptAsync(null); // accepts, never greets: like a qemu whose one monitor is held by another client
        long t0 = System.nanoTime();
        QmpException e = assertThrows(QmpException.class,
                () -> QmpClient.connect(tmp.resolve("qmp.sock"), 300, recorder, "test-qmp"));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(e.getMessage().contains("no answer within") && e.getMessage().contains("QMP greeting"), e.getMessage());
        assertTrue(millis >= 250 && millis < WAIT, "gave up after " + millis + " ms");
    }

    @Test
    void noSocketIsAClearError() {
        QmpException e = assertThrows(QmpException.class,
                () -> QmpClient.connect(tmp.resolve("absent.sock"), 300, recorder, "test-qmp"));
        assertTrue(e.getMessage().contains("absent.sock") && e.getMessage().contains("cannot connect"), e.getMessage());
    }

    @Test
    void commandTimeoutDiscardsTheLateReplyAndTheConnectionGoesOn() throws Exception {
        FakeSocketPeer peer = peer();
        QmpClient client = connected(peer, QmpClient.DEFAULT_MAX_LINE_BYTES);
        QmpException e = assertThrows(QmpException.class, () -> client.execute("query-status", null, 200));
        assertTrue(e.getMessage().contains("no answer within 200 ms"), e.getMessage());
        String late = peer.nextLine(WAIT);
        peer.send("{\"return\": {\"status\": \"late\"}, \"id\": \"" + FakeSocketPeer.idOf(late) + "\"}\r\n");
        CompletableFuture<JsonNode> next = CompletableFuture.supplyAsync(() -> exec(client, "query-status"));
        String line = peer.nextLine(WAIT);
        peer.send("{\"return\": {\"status\": \"running\"}, \"id\": \"" + FakeSocketPeer.idOf(line) + "\"}\r\n");
        assertEquals("running", next.get(WAIT, TimeUnit.MILLISECONDS).path("status").asText());
        assertTrue(client.isOpen());
    }

    @Test
    void eofIsReportedOnce() throws Exception {
        FakeSocketPeer peer = peer();
        QmpClient client = connected(peer, QmpClient.DEFAULT_MAX_LINE_BYTES);
        peer.closeClient();
        assertTrue(recorder.closed.await(WAIT, TimeUnit.MILLISECONDS));
        client.close();
        assertEquals(List.of("EOF (qemu closed the monitor)"), recorder.closes);
    }

    private static JsonNode exec(QmpClient client, String command) {
        try {
            return client.execute(command, null, WAIT);
        } catch (QmpException e) {
            throw new RuntimeException(e);
        }
    }
}
