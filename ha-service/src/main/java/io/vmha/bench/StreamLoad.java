package io.vmha.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One stream for a relay under test: a sink that counts what arrives on a loopback port, and a generator that writes
 * random (incompressible) bytes into the relay's entry port for a fixed time, then closes. Throughput is what the
 * sink received divided by the time from the generator's start to the sink's end of stream.
 */
final class StreamLoad implements AutoCloseable {
    private static final int CHUNK = 1024 * 1024;
    /** 16 MiB of random bytes, written in 1 MiB slices at rotating offsets: nothing repeats within a TLS record. */
    private static final ByteBuffer RANDOM = randomBuffer(16 * CHUNK);

    private final ServerSocketChannel sinkListener;
    private final Thread sink;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sinkEndNanos = new AtomicLong();
    private final AtomicLong loadCpuNanos = new AtomicLong();
    private final AtomicReference<Throwable> error = new AtomicReference<>();

    StreamLoad() throws IOException {
        sinkListener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        sink = new Thread(this::sinkLoop, "bench-sink");
        sink.setDaemon(true);
        sink.start();
    }

    int sinkPort() {
        return ((InetSocketAddress) sinkListener.socket().getLocalSocketAddress()).getPort();
    }

    /** Writes into {@code entryPort} for {@code seconds}, closes, and waits for the sink's end of stream. */
    Measurement run(int entryPort, double seconds) throws IOException, InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long sent = 0;
        try (SocketChannel out = SocketChannel.open(new InetSocketAddress("127.0.0.1", entryPort))) {
            int offset = 0;
            while (System.nanoTime() < deadline) {
                ByteBuffer slice = RANDOM.duplicate().position(offset).limit(offset + CHUNK);
                while (slice.hasRemaining()) sent += out.write(slice);
                offset = (offset + CHUNK + 4099) % (RANDOM.capacity() - CHUNK);
            }
        }
        loadCpuNanos.addAndGet(threads.getCurrentThreadCpuTime() - cpuBefore);
        sink.join(TimeUnit.SECONDS.toMillis(60));
        if (sink.isAlive()) throw new IOException("the relay did not deliver the end of the stream within 60 s (sent " + sent
                + " bytes, received " + received.get() + ")");
        if (error.get() != null) throw new IOException("the sink failed: " + error.get(), error.get());
        if (received.get() != sent) throw new IOException("the relay lost bytes: sent " + sent + ", received " + received.get());
        return new Measurement(received.get(), (sinkEndNanos.get() - start) / 1e9, loadCpuNanos.get() / 1e9);
    }

    /** What one stream achieved; loadCpuSeconds is the generator's and sink's own CPU, not the relay's. */
    record Measurement(long bytes, double seconds, double loadCpuSeconds) {}

    private void sinkLoop() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        try (SocketChannel in = sinkListener.accept()) {
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long n;
            while ((n = in.read(buffer.clear())) >= 0) received.addAndGet(n);
            sinkEndNanos.set(System.nanoTime());
            loadCpuNanos.addAndGet(threads.getCurrentThreadCpuTime() - cpuBefore);
        } catch (IOException e) {
            sinkEndNanos.set(System.nanoTime());
            if (sinkListener.isOpen()) error.set(e);
        }
    }

    private static ByteBuffer randomBuffer(int size) {
        byte[] bytes = new byte[size];
        new Random(20261121L).nextBytes(bytes);
        return ByteBuffer.allocateDirect(size).put(bytes).flip();
    }

    @Override public void close() throws IOException {
        sinkListener.close();
    }
}
