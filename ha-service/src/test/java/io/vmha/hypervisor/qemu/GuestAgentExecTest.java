package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** guest-exec through the agent client against a scripted agent: resync, the request, polling, errors. */
class GuestAgentExecTest {
    static final long WAIT = 5_000;

    @TempDir
    Path tmp;
    FakeSocketPeer agent;

    @AfterEach
    void cleanUp() throws Exception {
        if (agent != null) agent.close();
    }

    CompletableFuture<GuestAgentClient.ExecResult> exec(long syncId, long timeoutMillis, String... args) {
        Path sock = tmp.resolve("qga.sock");
        try {
            agent = new FakeSocketPeer(sock).acceptAsync(null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new GuestAgentClient(sock, 1 << 16).exec(syncId, "/bin/sh", List.of(args), timeoutMillis);
            } catch (IOException | InterruptedException e) {
                throw new CompletionException(e);
            }
        });
    }

    /** Answers the client's guest-sync (after a stale reply) and returns its next request. */
    JsonNode syncThenNextRequest(long syncId) throws Exception {
        agent.nextLine(WAIT);
        agent.send("{\"return\": {}}\n{\"return\": " + syncId + "}\n");
        return QmpClient.JSON.readTree(agent.nextLine(WAIT));
    }

    static String b64(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }

    @Test
    void execSendsPathAndArgsThenPollsUntilExited() throws Exception {
        var result = exec(31, WAIT, "-c", "echo hi");
        JsonNode request = syncThenNextRequest(31);
        assertEquals("guest-exec", request.path("execute").asText());
        assertEquals("/bin/sh", request.path("arguments").path("path").asText());
        assertEquals("[\"-c\",\"echo hi\"]", request.path("arguments").path("arg").toString());
        assertTrue(request.path("arguments").path("capture-output").asBoolean());
        agent.send("{\"return\": {\"pid\": 77}}\n");
        JsonNode status = QmpClient.JSON.readTree(agent.nextLine(WAIT));
        assertEquals("guest-exec-status", status.path("execute").asText());
        assertEquals(77, status.path("arguments").path("pid").asLong());
        agent.send("{\"return\": {\"exited\": false}}\n");
        assertEquals(77, QmpClient.JSON.readTree(agent.nextLine(WAIT)).path("arguments").path("pid").asLong());
        agent.send("{\"return\": {\"exited\": true, \"exitcode\": 3, \"out-data\": \"" + b64("hi\n") + "\", \"err-data\": \""
                + b64("oops") + "\"}}\n");
        GuestAgentClient.ExecResult r = result.get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(3, r.exitCode());
        assertEquals("hi\n", r.stdout());
        assertEquals("oops", r.stderr());
    }

    @Test
    void killedBySignalHasNoExitCode() throws Exception {
        var result = exec(8, WAIT, "-c", "kill -9 $$");
        syncThenNextRequest(8);
        agent.send("{\"return\": {\"pid\": 5}}\n");
        agent.nextLine(WAIT);
        agent.send("{\"return\": {\"exited\": true, \"signal\": 9}}\n");
        assertNull(result.get(WAIT, TimeUnit.MILLISECONDS).exitCode());
    }

    @Test
    void anAgentErrorIsAnExceptionWithItsDescription() throws Exception {
        var result = exec(9, WAIT, "-c", "true");
        syncThenNextRequest(9);
        agent.send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Command guest-exec has been disabled\"}}\n");
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(WAIT, TimeUnit.MILLISECONDS));
        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("guest-exec refused by the agent: Command guest-exec has been disabled"),
                e.getCause().getMessage());
    }

    @Test
    void aSilentAgentFailsAtTheTimeoutNamingTheStep() throws Exception {
        long t0 = System.nanoTime();
        var result = exec(10, 300, "-c", "true");
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(WAIT, TimeUnit.MILLISECONDS));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(e.getCause().getMessage().contains("no guest-sync reply within 300 ms"), e.toString());
        assertTrue(millis >= 290, "took " + millis + " ms for a 300 ms timeout");
    }

    @Test
    void aCommandStillRunningAtTheDeadlineFails() throws Exception {
        var result = exec(11, 600, "-c", "sleep 100");
        syncThenNextRequest(11);
        agent.send("{\"return\": {\"pid\": 6}}\n");
        // Answer every poll with "still running" until the client gives up.
        CompletableFuture.runAsync(() -> {
            try {
                while (agent.nextLine(WAIT) != null) agent.send("{\"return\": {\"exited\": false}}\n");
            } catch (Exception ignored) {
                // the client closed the socket: done
            }
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(WAIT, TimeUnit.MILLISECONDS));
        String message = e.getCause().getMessage();
        assertTrue(message.contains("still runs after 600 ms") || message.contains("no guest-exec-status reply within 600 ms"), message);
    }
}
