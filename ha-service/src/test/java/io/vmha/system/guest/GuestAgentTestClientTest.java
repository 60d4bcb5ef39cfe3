package io.vmha.system.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test agent client against a fake agent on a Unix socket (JDK only, no qemu): stale replies before the
 * sync id are dropped, a silent agent is a timeout, errors and guest-exec output come through.
 */
class GuestAgentTestClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private FakeAgent fake;

    @AfterEach
    void stop() throws IOException {
        if (fake != null) fake.close();
    }

    @Test
    void staleRepliesBeforeTheSyncIdAreDropped() throws Exception {
        // Every sync is answered after leftovers of earlier, timed-out commands: a stale {"return": {}} must
        // not pass for the answer to a later command.
        fake = new FakeAgent(dir, request -> switch (request.path("execute").asText()) {
            case "guest-sync-delimited" -> List.of("{\"return\": {}}", "{\"return\": 7}", "\u00ff{\"return\": "
                    + request.path("arguments").path("id").asLong() + "}");
            case "guest-info" -> List.of("{\"return\": {\"version\": \"7.2.22\"}}");
            default -> List.of();
        });
        try (GuestAgentTestClient agent = GuestAgentTestClient.connect(fake.socket, Duration.ofSeconds(5))) {
            JsonNode info = agent.execute("guest-info", null, Duration.ofSeconds(5));
            assertEquals("7.2.22", info.path("version").asText());
        }
        assertEquals(0xFF, fake.firstByte, "each sync starts with 0xFF to reset the agent's parser");
    }

    @Test
    void aSilentAgentIsATimeoutNotAnAnswer() throws Exception {
        fake = new FakeAgent(dir, request -> List.of("{\"return\": {}}")); // never echoes the sync id
        try (GuestAgentTestClient agent = GuestAgentTestClient.connect(fake.socket, Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            assertFalse(agent.ping(Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos(), "waited the whole timeout");
        }
    }

    @Test
    void pingAnswersAfterSync() throws Exception {
        fake = new FakeAgent(dir, FakeAgent::honest);
        try (GuestAgentTestClient agent = GuestAgentTestClient.connect(fake.socket, Duration.ofSeconds(5))) {
            assertTrue(agent.ping(Duration.ofSeconds(5)));
            assertTrue(agent.ping(Duration.ofSeconds(5)));
        }
    }

    @Test
    void anErrorReplyNamesTheCommand() throws Exception {
        fake = new FakeAgent(dir, request -> request.path("execute").asText().equals("guest-exec")
                ? List.of("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Command guest-exec has been disabled\"}}")
                : FakeAgent.honest(request));
        try (GuestAgentTestClient agent = GuestAgentTestClient.connect(fake.socket, Duration.ofSeconds(5))) {
            GuestAgentTestClient.GuestAgentException e = assertThrows(GuestAgentTestClient.GuestAgentException.class,
                    () -> agent.exec(Duration.ofSeconds(5), false, "/bin/true"));
            assertTrue(e.getMessage().contains("guest-exec") && e.getMessage().contains("disabled"), e.getMessage());
        }
    }

    @Test
    void runPollsExecStatusUntilExitAndDecodesOutput() throws Exception {
        int[] polls = {0};
        JsonNode[] exec = {null};
        fake = new FakeAgent(dir, request -> switch (request.path("execute").asText()) {
            case "guest-exec" -> {
                exec[0] = request;
                yield List.of("{\"return\": {\"pid\": 42}}");
            }
            case "guest-exec-status" -> ++polls[0] < 3 ? List.of("{\"return\": {\"exited\": false}}")
                    : List.of("{\"return\": {\"exited\": true, \"exitcode\": 3, \"out-data\": \""
                            + Base64.getEncoder().encodeToString("hi\n".getBytes(StandardCharsets.UTF_8)) + "\"}}");
            default -> FakeAgent.honest(request);
        });
        try (GuestAgentTestClient agent = GuestAgentTestClient.connect(fake.socket, Duration.ofSeconds(5))) {
            GuestAgentTestClient.ExecStatus status = agent.run(Duration.ofSeconds(5), "/bin/sh", "-c", "echo hi");
            assertEquals(new GuestAgentTestClient.ExecStatus(true, 3, "hi\n", ""), status);
            assertEquals(3, polls[0]);
            assertEquals("{\"path\":\"/bin/sh\",\"capture-output\":true,\"arg\":[\"-c\",\"echo hi\"]}",
                    exec[0].path("arguments").toString());
        }
    }

    @Test
    void aGuestProcessThatNeverExitsIsATimeout() throws Exception {
        fake = new FakeAgent(dir, request -> switch (request.path("execute").asText()) {
            case "guest-exec" -> List.of("{\"return\": {\"pid\": 42}}");
            case "guest-exec-status" -> List.of("{\"return\": {\"exited\": false}}");
            default -> FakeAgent.honest(request);
        });
        try (GuestAgentTestClient agent = GuestAgentTestClient.connect(fake.socket, Duration.ofSeconds(5))) {
            assertThrows(TimeoutException.class, () -> agent.run(Duration.ofMillis(500), "/bin/sleep", "100"));
        }
    }

    /** One connection; each request line (0xFF bytes dropped) is answered with the lines {@code replies} gives. */
    private static final class FakeAgent implements AutoCloseable {
        final Path socket;
        volatile int firstByte = -1;
        private final ServerSocketChannel server;
        private final Thread thread;

        FakeAgent(Path dir, Function<JsonNode, List<String>> replies) throws IOException {
            socket = dir.resolve("agent.sock");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(() -> serve(replies), "fake-agent");
            thread.setDaemon(true);
            thread.start();
        }

        static List<String> honest(JsonNode request) {
            return request.path("execute").asText().equals("guest-sync-delimited")
                    ? List.of("\u00ff{\"return\": " + request.path("arguments").path("id").asLong() + "}")
                    : List.of("{\"return\": {}}");
        }

        private void serve(Function<JsonNode, List<String>> replies) {
            try (SocketChannel client = server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                while (client.read(buffer.clear()) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        int b = buffer.get() & 0xFF;
                        if (firstByte < 0) firstByte = b;
                        if (b == 0xFF) continue;
                        if (b != '\n') {
                            line.write(b);
                            continue;
                        }
                        JsonNode request = JSON.readTree(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                        for (String reply : replies.apply(request)) {
                            byte[] bytes = (reply + "\n").getBytes(StandardCharsets.ISO_8859_1);
                            ByteBuffer out = ByteBuffer.wrap(bytes);
                            while (out.hasRemaining()) client.write(out);
                        }
                    }
                }
            } catch (IOException e) {
                // the client went away: the test has its answer
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
