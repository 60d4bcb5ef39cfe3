package io.vmha.zookeeper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * A real single-node ZooKeeper inside this JVM, for {@code vmha demo} and single-machine tries. Not for
 * production pools: one server is one point of failure, which is exactly what ZooKeeper is there to avoid.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    private static final long STARTUP_TIMEOUT_MS = 30_000;

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Path baseDir;
    private final int requestedPort;
    private volatile int port;
    private volatile ZooKeeperServerEmbedded server;

    /** @param clientPort 0 picks a free port at start */
    public EmbeddedZooKeeper(Path baseDir, int clientPort) {
        if (clientPort < 0 || clientPort > 65535) {
            throw new io.vmha.core.InvalidInputException("zookeeper.client-port", clientPort, "0 (any free port) to 65535");
        }
        this.baseDir = baseDir;
        this.requestedPort = clientPort;
    }

    /** Start the server and return once it answers a client: callers can connect right away. */
    public void start() throws Exception {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("embedded zookeeper cannot be started: " + state.get());
        }
        // A free port chosen here could be taken before the server binds it; for a demo that race is
        // acceptable, and it fails loudly (bind error) rather than silently.
        port = requestedPort != 0 ? requestedPort : freePort();
        Files.createDirectories(baseDir);
        Properties config = new Properties();
        config.setProperty("clientPort", Integer.toString(port));
        config.setProperty("clientPortAddress", "127.0.0.1");
        config.setProperty("dataDir", baseDir.resolve("data").toAbsolutePath().toString());
        // Short ticks so that demo sessions can be short (minSessionTimeout 1 s) and failover quick.
        config.setProperty("tickTime", "200");
        config.setProperty("minSessionTimeout", "1000");
        config.setProperty("maxSessionTimeout", "60000");
        config.setProperty("admin.enableServer", "false");
        config.setProperty("4lw.commands.whitelist", "ruok,srvr,stat");
        server = ZooKeeperServerEmbedded.builder().baseDir(baseDir).configuration(config)
                .exitHandler(ExitHandler.LOG_ONLY).build();
        try {
            server.start(STARTUP_TIMEOUT_MS);
            awaitServing();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>}, valid after {@link #start()}. */
    public String connectString() {
        if (state.get() != State.STARTED) throw new IllegalStateException("embedded zookeeper is " + state.get());
        return "127.0.0.1:" + port;
    }

    public int port() { return port; }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) return;
        ZooKeeperServerEmbedded s = server;
        if (s != null) s.close();
    }

    /** ruok only says the process runs; a session plus a read proves it serves clients. */
    private void awaitServing() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper probe = new ZooKeeper("127.0.0.1:" + port, 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        try {
            if (!connected.await(STARTUP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new IOException("embedded zookeeper on port " + port + " did not accept a client within "
                        + STARTUP_TIMEOUT_MS + " ms (see " + baseDir + ")");
            }
            probe.exists("/", false);
        } finally {
            probe.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
