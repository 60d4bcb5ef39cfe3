package io.vmha.hypervisor.qemu;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The other end of a QMP or guest-agent socket, scripted by a test: a listening Unix socket that accepts
 * one client and lets the test read its lines and write anything (including garbage) back.
 */
final class FakeSocketPeer implements AutoCloseable {
    private final ServerSocketChannel server;
    private volatile SocketChannel client;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    /** Raw bytes received, for tests that check non-text bytes such as the agent's 0xFF. */
    final ByteArrayOutputStream raw = new ByteArrayOutputStream();

    FakeSocketPeer(Path socket) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
    }

    /** Accepts the client (blocking) and starts collecting its lines. */
    FakeSocketPeer accept() throws IOException {
        client = server.accept();
        Thread reader = new Thread(this::readLoop, "fake-peer-reader");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** Accepts in the background (the client under test blocks on its connect/greeting meanwhile). */
    FakeSocketPeer acceptAsync(String greeting) {
        Thread t = new Thread(() -> {
            try {
                accept();
                if (greeting != null) send(greeting + "\r\n");
            } catch (IOException ignored) {
                // the test fails on what the client sees
            }
        }, "fake-peer-accept");
        t.setDaemon(true);
        t.start();
        return this;
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        StringBuilder line = new StringBuilder();
        try {
            while (client.read(buf.clear()) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    synchronized (raw) { raw.write(b); }
                    if (b == '\n') {
                        received.add(line.toString());
                        line.setLength(0);
                    } else {
                        line.append((char) (b & 0xff));
                    }
                }
            }
        } catch (IOException closed) {
            // the test closed it or the client went away
        }
    }

    /** The next line from the client, or fails after {@code timeoutMillis}. */
    String nextLine(long timeoutMillis) throws InterruptedException {
        String line = received.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (line == null) throw new AssertionError("no line from the client within " + timeoutMillis + " ms");
        return line;
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) client.write(out);
    }

    /** The {@code id} of a QMP request line. */
    static String idOf(String requestLine) throws IOException {
        return QmpClient.JSON.readTree(requestLine).path("id").asText();
    }

    void closeClient() throws IOException {
        if (client != null) client.close();
    }

    @Override
    public void close() throws IOException {
        closeClient();
        server.close();
    }
}
