package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

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
import java.util.Deque;
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
 */
final class GuestAgentClient {
    /** The outcome, with a detail for the journal when it is not OK. */
    record Reply(boolean answered, String detail) {}

    private final Path socket;
    private final int maxLineBytes;

    GuestAgentClient(Path socket, int maxLineBytes) {
        this.socket = socket;
        this.maxLineBytes = maxLineBytes;
    }

    /** guest-sync({@code syncId}) then guest-ping; never throws. */
    Reply ping(long syncId, long timeoutMillis) {
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
