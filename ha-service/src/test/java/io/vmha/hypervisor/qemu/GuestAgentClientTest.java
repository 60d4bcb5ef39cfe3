package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guest-agent ping against a scripted agent socket: resync past stale replies, silence, garbage. */
class GuestAgentClientTest {
    static final long WAIT = 5_000;

    @TempDir
    Path tmp;
    FakeSocketPeer agent;

    @AfterEach
    void cleanUp() throws Exception {
        if (agent != null) agent.close();
    }

    CompletableFuture<GuestAgentClient.Reply> ping(long syncId, long timeoutMillis) throws Exception {
        Path sock = tmp.resolve("qga.sock");
        agent = new FakeSocketPeer(sock).acceptAsync(null);
        return CompletableFuture.supplyAsync(() -> new GuestAgentClient(sock, 1 << 16).ping(syncId, timeoutMillis));
    }

    @Test
    void staleRepliesAreSkippedUntilOurSyncIdThenPing() throws Exception {
        var reply = ping(4242, WAIT);
        String sync = agent.nextLine(WAIT);
        byte first;
        synchronized (agent.raw) { first = agent.raw.toByteArray()[0]; }
        assertEquals((byte) 0xff, first, "the parser-reset byte goes first");
        JsonNode request = QmpClient.JSON.readTree(sync.substring(1));
        assertEquals("guest-sync", request.path("execute").asText());
        assertEquals(4242, request.path("arguments").path("id").asLong());
        // What a confused agent may still have queued: an error for the 0xFF, replies to earlier syncs and pings.
        agent.send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\uFFFD'\"}}\n"
                + "{\"return\": 17}\n{\"return\": {}}\n{\"return\": 4242}\n");
        String ping = agent.nextLine(WAIT);
        assertEquals("guest-ping", QmpClient.JSON.readTree(ping).path("execute").asText());
        agent.send("{\"return\": {}}\n");
        GuestAgentClient.Reply r = reply.get(WAIT, TimeUnit.MILLISECONDS);
        assertTrue(r.answered(), r.detail());
    }

    @Test
    void onlyStaleRepliesMeanNoAnswerAtTheTimeout() throws Exception {
        long t0 = System.nanoTime();
        var reply = ping(99, 400);
        agent.nextLine(WAIT);
        agent.send("{\"return\": 98}\n{\"return\": {}}\n"); // a stale sync and a stale ping: neither is ours
        GuestAgentClient.Reply r = reply.get(WAIT, TimeUnit.MILLISECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertFalse(r.answered());
        assertTrue(r.detail().contains("no guest-sync reply within 400 ms"), r.detail());
        assertTrue(millis >= 390 && millis < 400 + 4_000, "took " + millis + " ms for a 400 ms timeout");
    }

    @Test
    void silentAgentIsNoAnswerWithinTheTimeout() throws Exception {
        long t0 = System.nanoTime();
        var reply = ping(7, 300);
        GuestAgentClient.Reply r = reply.get(WAIT, TimeUnit.MILLISECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertFalse(r.answered());
        assertTrue(millis >= 290 && millis < 300 + 4_000, "took " + millis + " ms for a 300 ms timeout");
    }

    @Test
    void syncAnsweredButPingNotIsNoAnswer() throws Exception {
        var reply = ping(5, 400);
        agent.nextLine(WAIT);
        agent.send("{\"return\": 5}\n");
        agent.nextLine(WAIT);
        GuestAgentClient.Reply r = reply.get(WAIT, TimeUnit.MILLISECONDS);
        assertFalse(r.answered());
        assertTrue(r.detail().contains("no guest-ping reply"), r.detail());
    }

    @Test
    void garbageIsNoAnswerAtOnceWithTheReason() throws Exception {
        var reply = ping(5, 60_000);
        agent.nextLine(WAIT);
        agent.send("%%% not json\n");
        GuestAgentClient.Reply r = reply.get(WAIT, TimeUnit.MILLISECONDS);
        assertFalse(r.answered());
        assertTrue(r.detail().contains("malformed") && r.detail().contains("not json"), r.detail());
    }

    @Test
    void overLongLineIsNoAnswerAtOnce() throws Exception {
        var reply = ping(5, 60_000);
        agent.nextLine(WAIT);
        agent.send("x".repeat(70_000));
        GuestAgentClient.Reply r = reply.get(WAIT, TimeUnit.MILLISECONDS);
        assertFalse(r.answered());
        assertTrue(r.detail().contains("line longer than 65536 bytes"), r.detail());
    }

    @Test
    void noSocketIsNoAnswerNotAnException() {
        GuestAgentClient.Reply r = new GuestAgentClient(tmp.resolve("absent.sock"), 1 << 16).ping(1, 200);
        assertFalse(r.answered());
        assertTrue(r.detail().contains("absent.sock"), r.detail());
    }
}
