package io.vmha.system.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Test-only QMP client: enough for system_reset, cont, query-status and waiting for events in the guest
 * fixture's own tests. Minimal on purpose: the real QMP client lives in the qemu driver.
 */
public final class QmpTestClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode CLOSED = JSON.createObjectNode().put("closed", true);

    private final SocketChannel channel;
    private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
    private final List<JsonNode> events = new ArrayList<>(); // guarded by itself; consumed by awaitEvent

    private QmpTestClient(SocketChannel channel) {
        this.channel = channel;
        Thread reader = new Thread(this::readLoop, "qmp-test-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects (waiting up to {@code timeout} for the socket), reads the greeting and enters command mode. */
    public static QmpTestClient connect(Path socket, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        QmpTestClient client = new QmpTestClient(UnixSockets.connect(socket, timeout));
        JsonNode greeting = client.nextReply(timeout);
        if (!greeting.has("QMP")) throw new IOException("not a QMP greeting: " + greeting);
        client.execute("qmp_capabilities", null, timeout);
        return client;
    }

    /** Runs one command and returns its {@code return} value; an {@code error} reply throws IllegalStateException. */
    public synchronized JsonNode execute(String command, JsonNode arguments, Duration timeout)
            throws InterruptedException, TimeoutException {
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) request.set("arguments", arguments);
        try {
            ByteBuffer bytes = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) channel.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("QMP: cannot send " + command, e);
        }
        JsonNode reply = nextReply(timeout);
        if (reply.has("error")) throw new IllegalStateException("QMP " + command + " failed: " + reply.get("error"));
        return reply.get("return");
    }

    /** query-status's {@code status}: running, paused, guest-panicked, prelaunch, ... */
    public String status(Duration timeout) throws InterruptedException, TimeoutException {
        return execute("query-status", null, timeout).path("status").asText();
    }

    /** Forgets every event received so far, so that the next awaitEvent sees only later ones. */
    public void clearEvents() {
        synchronized (events) {
            events.clear();
        }
    }

    /** Removes and returns the first received event named {@code name}, waiting up to {@code timeout}. */
    public JsonNode awaitEvent(String name, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (true) {
                for (int i = 0; i < events.size(); i++) {
                    if (events.get(i).path("event").asText().equals(name)) return events.remove(i);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new TimeoutException("no QMP event " + name + " within " + timeout);
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private JsonNode nextReply(Duration timeout) throws InterruptedException, TimeoutException {
        JsonNode reply = replies.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (reply == null) throw new TimeoutException("QMP: no reply within " + timeout);
        if (reply == CLOSED) {
            replies.add(CLOSED);
            throw new UncheckedIOException(new IOException("QMP socket closed by qemu"));
        }
        return reply;
    }

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) continue;
                JsonNode message = JSON.readTree(line);
                if (message.has("event")) {
                    synchronized (events) {
                        events.add(message);
                        events.notifyAll();
                    }
                } else {
                    replies.add(message);
                }
            }
        } catch (IOException e) {
            // closed by close() or qemu exited
        } finally {
            replies.add(CLOSED);
        }
    }
}
