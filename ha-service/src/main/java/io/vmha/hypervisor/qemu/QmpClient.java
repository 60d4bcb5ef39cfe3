package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One QMP connection over a Unix socket: greeting, {@code qmp_capabilities}, commands correlated by
 * {@code id}, and asynchronous events handed to a {@link Listener} on this connection's reader thread.
 *
 * <p>Anything malformed from qemu (bad UTF-8, not JSON, not an object, a line over the limit) drops the
 * connection with a message saying what was wrong: a monitor we cannot parse is one we cannot trust.
 * Pending commands then fail at once instead of waiting for their timeout.
 */
public final class QmpClient implements AutoCloseable {
    /** Generous: qemu's largest replies (query-qmp-schema) are about 200 KB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Receives what qemu says on its own. Called on the reader thread: must return quickly. */
    public interface Listener {
        /** A QMP event, e.g. SHUTDOWN, GUEST_PANICKED; {@code data} is an empty object when qemu sent none. */
        void event(String name, JsonNode data);

        /** The connection ended (EOF, error, or {@link #close()}); called exactly once. */
        void closed(String reason);
    }

    private final Path socket;
    private final SocketChannel channel;
    private final Listener listener;
    private final LineFramer framer;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object writeLock = new Object();
    private volatile String closeReason;

    private QmpClient(Path socket, SocketChannel channel, Listener listener, int maxLineBytes) {
        this.socket = socket;
        this.channel = channel;
        this.listener = listener;
        this.framer = new LineFramer(maxLineBytes);
    }

    /** Connects, waits for the greeting and negotiates capabilities, all within {@code timeoutMillis}. */
    public static QmpClient connect(Path socket, long timeoutMillis, Listener listener, String threadName)
            throws QmpException {
        return connect(socket, timeoutMillis, listener, threadName, DEFAULT_MAX_LINE_BYTES);
    }

    static QmpClient connect(Path socket, long timeoutMillis, Listener listener, String threadName, int maxLineBytes)
            throws QmpException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new QmpException("QMP " + socket + ": cannot open a Unix socket: " + e.getMessage(), e);
        }
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw new QmpException("QMP " + socket + ": cannot connect: " + e.getMessage(), e);
        }
        QmpClient client = new QmpClient(socket, channel, listener, maxLineBytes);
        Thread reader = new Thread(client::readLoop, threadName);
        reader.setDaemon(true);
        reader.start();
        try {
            JsonNode hello = await(client.greeting, remainingMillis(deadline), "the QMP greeting");
            if (!hello.path("QMP").isObject()) throw new QmpException("QMP " + socket + ": first message is not a greeting: " + hello);
            client.execute("qmp_capabilities", null, remainingMillis(deadline));
            return client;
        } catch (QmpException e) {
            client.close();
            throw new QmpException("QMP " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code command} with {@code arguments} (may be null) and returns qemu's {@code return} value.
     * Throws if qemu answers with an error (its class and description in the message), on timeout (a late
     * reply is then discarded) and if the connection is or gets closed.
     */
    public JsonNode execute(String command, ObjectNode arguments, long timeoutMillis) throws QmpException {
        String id = "vmha-" + nextId.incrementAndGet();
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) request.set("arguments", arguments);
        request.put("id", id);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            if (closed.get()) throw new QmpException("connection closed: " + closeReason);
            byte[] bytes = (request + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (writeLock) {
                ByteBuffer out = ByteBuffer.wrap(bytes);
                while (out.hasRemaining()) channel.write(out);
            }
            JsonNode response = await(reply, timeoutMillis, "the reply to " + command);
            JsonNode error = response.get("error");
            if (error != null) {
                String errorClass = error.path("class").asText("?");
                throw new QmpException(command + " failed: " + errorClass + ": " + error.path("desc").asText(""),
                        errorClass, null);
            }
            return response.path("return");
        } catch (IOException e) {
            shutdown("write failed: " + e.getMessage());
            throw new QmpException(command + ": cannot send: " + e.getMessage(), e);
        } finally {
            pending.remove(id);
        }
    }

    /** Convenience: {@code arguments} as an object node. */
    public static ObjectNode args() {
        return JSON.createObjectNode();
    }

    public boolean isOpen() {
        return !closed.get();
    }

    public Path socket() {
        return socket;
    }

    /** Closes the connection (qemu keeps running); the listener hears {@code closed}. Idempotent. */
    @Override
    public void close() {
        shutdown("closed by vmha");
    }

    // ---- reader thread -----------------------------------------------------------------------------

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        try {
            while (true) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    shutdown(framer.pendingBytes() > 0 ? "EOF in the middle of a message" : "EOF (qemu closed the monitor)");
                    return;
                }
                buffer.flip();
                for (String line : framer.feed(buffer)) dispatch(line);
            }
        } catch (ProtocolException e) {
            shutdown("malformed data from qemu: " + e.getMessage());
        } catch (IOException e) {
            shutdown(closed.get() ? closeReason : "read failed: " + e.getMessage());
        } catch (RuntimeException e) {
            shutdown("reader failed: " + e);
        }
    }

    private void dispatch(String line) throws ProtocolException {
        if (line.isBlank()) return;
        JsonNode message;
        try {
            message = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new ProtocolException("not JSON: " + abbreviate(line));
        }
        if (message == null || !message.isObject()) throw new ProtocolException("not a JSON object: " + abbreviate(line));
        if (message.has("QMP")) {
            greeting.complete(message);
        } else if (message.has("event")) {
            JsonNode data = message.get("data");
            listener.event(message.path("event").asText(), data == null ? JSON.createObjectNode() : data);
        } else if (message.has("return") || message.has("error")) {
            JsonNode id = message.get("id");
            CompletableFuture<JsonNode> reply = id == null ? null : pending.get(id.asText());
            if (reply != null) reply.complete(message); // otherwise a late reply to a timed-out command
        } else {
            throw new ProtocolException("neither greeting, event nor reply: " + abbreviate(line));
        }
    }

    private void shutdown(String reason) {
        if (!closed.compareAndSet(false, true)) return;
        closeReason = reason;
        closeQuietly(channel);
        QmpException gone = new QmpException("connection closed: " + reason);
        greeting.completeExceptionally(gone);
        pending.values().forEach(f -> f.completeExceptionally(gone));
        listener.closed(reason);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static JsonNode await(CompletableFuture<JsonNode> future, long timeoutMillis, String what) throws QmpException {
        try {
            return future.get(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new QmpException("no answer within " + timeoutMillis + " ms waiting for " + what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof QmpException) throw new QmpException(cause.getMessage(), cause);
            throw new QmpException(String.valueOf(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted waiting for " + what);
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "... (" + text.length() + " chars)";
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }
}
