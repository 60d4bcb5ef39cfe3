package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Asks the QEMU guest agent for a sign of life over its chardev socket, all within one deadline.
 *
 * <p>The agent protocol has no request ids: a reply to an earlier, timed-out request may still be queued
 * in the guest. So each ping first sends a raw {@code 0xFF} (resets the agent's JSON parser after a
 * half-written request; the agent answers it with an error we ignore), then {@code guest-sync} with a
 * fresh random id, discards every line until the echo of that id, and only then sends {@code guest-ping}.
 * Non-blocking I/O with a selector, so a silent agent costs exactly the timeout, no thread.
 *
 * <p>{@link #exec} runs a command in the guest ({@code guest-exec}, then {@code guest-exec-status} until it
 * exits); the driver itself only pings, the demo uses exec to make a guest fail from the inside.
 */
public final class GuestAgentClient {
    /** The outcome, with a detail for the journal when it is not OK. */
    public record Reply(boolean answered, String detail) {}

    /** The end of a guest-exec'd process; {@code exitCode} is null if a signal ended it. Output is decoded. */
    public record ExecResult(Integer exitCode, String stdout, String stderr) {}

    private final Path socket;
    private final int maxLineBytes;

    public GuestAgentClient(Path socket, int maxLineBytes) {
        this.socket = socket;
        this.maxLineBytes = maxLineBytes;
    }

    /** guest-sync({@code syncId}) then guest-ping; never throws. */
    public Reply ping(long syncId, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                channel.register(selector, SelectionKey.OP_CONNECT);
                if (!waitFor(selector, deadline) || !channel.finishConnect()) {
                    return new Reply(false, "no connection to the agent socket within " + timeoutMillis + " ms");
                }
            }
            Session session = new Session(channel, selector, deadline);
            session.send("\u00ff{\"execute\":\"guest-sync\",\"arguments\":{\"id\":" + syncId + "}}\n");
            if (!session.readUntil(reply -> reply.path("return").isIntegralNumber()
                    && reply.path("return").asLong() == syncId)) {
                return new Reply(false, "no guest-sync reply within " + timeoutMillis + " ms");
            }
            session.send("{\"execute\":\"guest-ping\"}\n");
            if (!session.readUntil(reply -> reply.has("return") && reply.get("return").isObject())) {
                return new Reply(false, "no guest-ping reply within " + timeoutMillis + " ms");
            }
            return new Reply(true, "");
        } catch (ProtocolException e) {
            return new Reply(false, "agent sent malformed data: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new Reply(false, "agent socket " + socket + ": " + e);
        }
    }

    /**
     * guest-sync({@code syncId}), then guest-exec of {@code path args} with its output captured, then
     * guest-exec-status every {@link #EXEC_POLL_MILLIS} until it exits, all within {@code timeoutMillis}.
     *
     * @throws IOException no agent, no answer in time (named), or the agent refused (its error's desc)
     */
    public ExecResult exec(long syncId, String path, List<String> args, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                channel.register(selector, SelectionKey.OP_CONNECT);
                if (!waitFor(selector, deadline) || !channel.finishConnect()) {
                    throw new IOException("no connection to the agent socket " + socket + " within " + timeoutMillis + " ms");
                }
            }
            Session session = new Session(channel, selector, deadline);
            session.send("\u00ff{\"execute\":\"guest-sync\",\"arguments\":{\"id\":" + syncId + "}}\n");
            if (!session.readUntil(reply -> reply.path("return").isIntegralNumber() && reply.path("return").asLong() == syncId)) {
                throw new IOException("no guest-sync reply within " + timeoutMillis + " ms");
            }
            ObjectNode arguments = QmpClient.JSON.createObjectNode().put("path", path).put("capture-output", true);
            ArrayNode argv = arguments.putArray("arg");
            args.forEach(argv::add);
            // In sync now: the next reply is ours, an error included.
            long pid = session.call("guest-exec", arguments, timeoutMillis).path("pid").asLong(-1);
            if (pid < 0) throw new ProtocolException("guest-exec returned no pid");
            while (true) {
                JsonNode status = session.call("guest-exec-status", QmpClient.JSON.createObjectNode().put("pid", pid), timeoutMillis);
                if (status.path("exited").asBoolean(false)) {
                    return new ExecResult(status.has("exitcode") ? status.get("exitcode").asInt() : null,
                            decode(status.path("out-data").asText("")), decode(status.path("err-data").asText("")));
                }
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXEC_POLL_MILLIS) > deadline) {
                    throw new IOException(path + " (guest pid " + pid + ") still runs after " + timeoutMillis + " ms");
                }
                Thread.sleep(EXEC_POLL_MILLIS);
            }
        }
    }

    static final long EXEC_POLL_MILLIS = 100;

    private static String decode(String base64) throws ProtocolException {
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("output is not base64: " + QmpClient.abbreviate(base64));
        }
    }

    private static boolean waitFor(Selector selector, long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) return false;
        selector.selectedKeys().clear();
        return selector.select(left) > 0;
    }

    /** One connection's reads and writes against the deadline. */
    private final class Session {
        final SocketChannel channel;
        final Selector selector;
        final long deadline;
        final LineFramer framer = new LineFramer(maxLineBytes);
        final Deque<String> lines = new ArrayDeque<>();
        final ByteBuffer in = ByteBuffer.allocate(4096);

        Session(SocketChannel channel, Selector selector, long deadline) {
            this.channel = channel;
            this.selector = selector;
            this.deadline = deadline;
        }

        /** Raw bytes: {@code \u00ff} becomes the single byte 0xFF, everything else is ASCII. */
        void send(String text) throws IOException {
            ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
            while (out.hasRemaining()) {
                channel.write(out);
                if (out.hasRemaining()) {
                    channel.register(selector, SelectionKey.OP_WRITE);
                    if (!waitFor(selector, deadline)) throw new IOException("write did not complete before the deadline");
                }
            }
        }

        /** Sends {@code command} and returns its reply's {@code return}; its {@code error} becomes an IOException. */
        JsonNode call(String command, JsonNode arguments, long timeoutMillis) throws IOException {
            ObjectNode request = QmpClient.JSON.createObjectNode().put("execute", command);
            request.set("arguments", arguments);
            send(QmpClient.JSON.writeValueAsString(request) + "\n");
            JsonNode[] reply = new JsonNode[1];
            if (!readUntil(r -> (reply[0] = r).has("return") || r.has("error"))) {
                throw new IOException("no " + command + " reply within " + timeoutMillis + " ms");
            }
            if (reply[0].has("error")) {
                throw new IOException(command + " refused by the agent: " + reply[0].get("error").path("desc").asText("?"));
            }
            return reply[0].get("return");
        }

        /** Reads lines until one satisfies {@code wanted} (true) or the deadline passes (false). */
        boolean readUntil(Predicate<JsonNode> wanted) throws IOException {
            while (true) {
                while (!lines.isEmpty()) {
                    String line = lines.poll();
                    if (line.isBlank()) continue;
                    JsonNode reply;
                    try {
                        reply = QmpClient.JSON.readTree(line);
                    } catch (JsonProcessingException e) {
                        throw new ProtocolException("not JSON: " + QmpClient.abbreviate(line));
                    }
                    if (reply != null && wanted.test(reply)) return true; // anything else is stale or our 0xFF's error
                }
                channel.register(selector, SelectionKey.OP_READ);
                if (!waitFor(selector, deadline)) return false;
                in.clear();
                int n = channel.read(in);
                if (n < 0) throw new IOException("the agent socket closed");
                in.flip();
                lines.addAll(framer.feed(in));
            }
        }
    }
}
