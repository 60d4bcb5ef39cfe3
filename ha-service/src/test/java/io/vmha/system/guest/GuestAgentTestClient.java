package io.vmha.system.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Test-only client of the QEMU guest agent, over the host end of the agent's virtio-serial chardev (a Unix
 * socket). Small on purpose: the real client lives in the qemu driver. Tests use it to see whether the guest
 * answers and to inject faults with {@code guest-exec}.
 *
 * <p>Every command is preceded by {@code guest-sync-delimited} with a fresh id: the agent channel keeps bytes
 * across guest reboots and timed-out commands, so replies read before our id comes back are stale and are
 * dropped. Not thread-safe beyond its synchronized methods; one test drives it.
 */
public final class GuestAgentTestClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Stands for the 0xFF delimiter the agent writes before a guest-sync-delimited reply. */
    private static final String DELIMITER = "\u0000delimiter";
    private static final String CLOSED = "\u0000closed";

    private final SocketChannel channel;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final Thread reader;

    private GuestAgentTestClient(SocketChannel channel) {
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "guest-agent-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects to the agent chardev socket, waiting up to {@code timeout} for qemu to create it. */
    public static GuestAgentTestClient connect(Path socket, Duration timeout) throws IOException, InterruptedException {
        return new GuestAgentTestClient(UnixSockets.connect(socket, timeout));
    }

    /** True if the agent answered guest-sync and guest-ping within {@code timeout}. */
    public synchronized boolean ping(Duration timeout) throws InterruptedException {
        try {
            execute("guest-ping", null, timeout);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /**
     * Runs one agent command after a guest-sync and returns its {@code return} value.
     *
     * @throws TimeoutException    the agent did not answer the sync and the command within {@code timeout}
     * @throws GuestAgentException the agent answered with an error
     */
    public synchronized JsonNode execute(String command, JsonNode arguments, Duration timeout)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        sync(deadline);
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) request.set("arguments", arguments);
        write(request.toString() + "\n");
        while (true) {
            JsonNode reply = nextJson(deadline, command);
            if (reply.has("error")) {
                throw new GuestAgentException(command, reply.get("error").path("class").asText(),
                        reply.get("error").path("desc").asText());
            }
            if (reply.has("return")) return reply.get("return");
        }
    }

    /** Starts {@code path args...} in the guest (guest-exec) and returns its guest pid. */
    public synchronized long exec(Duration timeout, boolean captureOutput, String path, String... args)
            throws TimeoutException, InterruptedException {
        ObjectNode arguments = JSON.createObjectNode().put("path", path).put("capture-output", captureOutput);
        arguments.set("arg", JSON.valueToTree(List.of(args)));
        return execute("guest-exec", arguments, timeout).path("pid").asLong();
    }

    /** The guest-exec-status of {@code pid}; output is decoded from base64. */
    public synchronized ExecStatus execStatus(long pid, Duration timeout) throws TimeoutException, InterruptedException {
        JsonNode status = execute("guest-exec-status", JSON.createObjectNode().put("pid", pid), timeout);
        return new ExecStatus(status.path("exited").asBoolean(),
                status.has("exitcode") ? status.get("exitcode").asInt() : null,
                decode(status.path("out-data").asText("")), decode(status.path("err-data").asText("")));
    }

    /** Runs {@code path args...} in the guest with output captured and waits (up to {@code timeout}) for it to exit. */
    public ExecStatus run(Duration timeout, String path, String... args) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pid = exec(remaining(deadline), true, path, args);
        while (true) {
            ExecStatus status = execStatus(pid, remaining(deadline));
            if (status.exited()) return status;
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("guest pid " + pid + " (" + path + ") still running after " + timeout);
            }
            Thread.sleep(100);
        }
    }

    /** The end of a guest-exec'd process; {@code exitCode} is null if it was killed by a signal. */
    public record ExecStatus(boolean exited, Integer exitCode, String stdout, String stderr) {}

    /** The agent refused a command. */
    public static final class GuestAgentException extends RuntimeException {
        public GuestAgentException(String command, String errorClass, String description) {
            super("guest agent refused " + command + ": " + errorClass + ": " + description);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close(); // ends the reader thread
    }

    // A 0xFF first resets the agent's JSON parser (a half-written stale request would otherwise swallow ours);
    // the agent answers it with a parse error, which is skipped like any other stale reply.
    private void sync(long deadline) throws TimeoutException, InterruptedException {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE >> 12);
        byte[] request = ("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":" + id + "}}\n")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(request.length + 1).put((byte) 0xFF).put(request).flip();
        writeFully(buffer);
        while (true) {
            JsonNode reply = nextJson(deadline, "guest-sync-delimited");
            if (reply.path("return").isIntegralNumber() && reply.get("return").asLong() == id) return;
        }
    }

    private JsonNode nextJson(long deadline, String waitingFor) throws TimeoutException, InterruptedException {
        while (true) {
            String line = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) throw new TimeoutException("guest agent: no answer to " + waitingFor + " in time");
            if (line.equals(CLOSED)) {
                received.add(CLOSED);
                throw new UncheckedIOException(new IOException("guest agent channel closed by qemu"));
            }
            if (line.equals(DELIMITER)) continue;
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                // Garbage from a guest reboot mid-reply: not ours, skip it.
            }
        }
    }

    private void write(String text) {
        writeFully(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private void writeFully(ByteBuffer buffer) {
        try {
            while (buffer.hasRemaining()) channel.write(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException("guest agent channel: write failed", e);
        }
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (channel.read(buffer.clear()) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == (byte) 0xFF) { // never valid UTF-8: always the delimiter
                        line.reset();
                        received.add(DELIMITER);
                    } else if (b == '\n') {
                        String text = line.toString(StandardCharsets.UTF_8).trim();
                        line.reset();
                        if (!text.isEmpty()) received.add(text);
                    } else {
                        line.write(b);
                    }
                }
            }
        } catch (IOException e) {
            // closed by close() or by qemu exiting: either way the client is done
        } finally {
            received.add(CLOSED);
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
