package io.vmha.system.tunnel;

import io.vmha.migration.tunnel.MigrationTokens;
import io.vmha.migration.tunnel.TunnelClient;
import io.vmha.migration.tunnel.TunnelServer;
import io.vmha.migration.tunnel.TunnelTls;
import io.vmha.pki.PoolPki;
import io.vmha.system.SystemTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance test that migration bytes on the wire are ciphertext: a real qemu with a random marker in guest RAM is
 * migrated once through a plaintext capturing relay (the marker must show: the capture works) and once, from a fresh
 * source with the same marker, through the TLS tunnel with the capture between TunnelClient and TunnelServer (the
 * marker must not show). Both migrations must complete with the target running.
 */
class TunnelCiphertextIT {
    private static final Set<String> POOL = Set.of("src", "dst");
    private final List<AutoCloseable> open = new ArrayList<>();
    private Path dir;

    @AfterEach void cleanUp() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    @Test void theMarkerInGuestRamShowsInAPlaintextCaptureAndNotInTheTunnelCapture() throws Exception {
        Path qemu = SystemTools.require("qemu-system-x86_64", "qemu-system-x86");
        dir = Files.createTempDirectory(Path.of("/tmp"), "vtun"); // short: QMP socket paths are limited
        byte[] marker = new byte[64];
        new SecureRandom().nextBytes(marker);
        Path markerFile = dir.resolve("marker.bin");
        Files.write(markerFile, marker);

        // 1. plaintext: source -> capturing proxy -> target
        int plainPort = freePort();
        MigratingQemu plainTarget = track(MigratingQemu.start(qemu, dir, "t1", markerFile, plainPort));
        MigratingQemu plainSource = track(MigratingQemu.start(qemu, dir, "s1", markerFile, 0));
        assertEquals("running", plainSource.status());
        CapturingProxy plainWire = track(new CapturingProxy(plainPort));
        assertEquals("completed", plainSource.migrateTo(plainWire.port()), plainSource.log());
        awaitRunning(plainTarget);
        byte[] plain = plainWire.captured();
        assertTrue(indexOf(plain, marker) >= 0, "the marker is not in the plaintext capture of " + plain.length
                + " bytes: the test would prove nothing");

        // 2. tunnel: source -> TunnelClient -> capturing proxy -> TunnelServer -> target
        Path pki = dir.resolve("pki");
        PoolPki pool = new PoolPki(pki);
        pool.init("it", 1, Instant.now());
        pool.issue("src", 1, false, Instant.now());
        pool.issue("dst", 1, false, Instant.now());
        List<String> journal = new CopyOnWriteArrayList<>();
        TunnelServer server = track(new TunnelServer(TunnelTls.load(pki, "dst"), "127.0.0.1", 0, POOL::contains,
                (source, message) -> journal.add(source + ": " + message)));
        server.start();
        int tlsPort = freePort();
        MigratingQemu tlsTarget = track(MigratingQemu.start(qemu, dir, "t2", markerFile, tlsPort));
        MigratingQemu tlsSource = track(MigratingQemu.start(qemu, dir, "s2", markerFile, 0));
        String token = MigrationTokens.newToken();
        server.expect("it-1", token, "src", tlsPort);
        CapturingProxy tlsWire = track(new CapturingProxy(server.port()));
        TunnelTls srcTls = TunnelTls.load(pki, "src");
        assertEquals("openssl", srcTls.engine());
        TunnelClient client = track(TunnelClient.open(srcTls, "dst", new InetSocketAddress("127.0.0.1", tlsWire.port()), "it-1",
                token, POOL::contains));
        assertEquals("completed", tlsSource.migrateTo(client.localPort()), tlsSource.log() + "\n" + client.failure() + "\n" + journal);
        awaitRunning(tlsTarget);
        assertTrue(client.failure().isEmpty(), client.failure().toString());
        assertTrue(journal.stream().anyMatch(l -> l.contains("admitted migration it-1 from src")), journal.toString());
        byte[] wire = tlsWire.captured();
        assertTrue(client.bytesRelayed() > 0 && wire.length > client.bytesRelayed(),
                "the capture (" + wire.length + " bytes) holds the whole TLS stream of " + client.bytesRelayed() + " relayed bytes");
        System.out.println("plaintext capture " + plain.length + " bytes, marker at offset " + indexOf(plain, marker)
                + "; tunnel capture " + wire.length + " bytes for " + client.bytesRelayed() + " relayed");
        assertEquals(-1, indexOf(wire, marker), "the marker is readable in the tunnel capture");
        assertEquals(-1, indexOf(wire, "QEVM".getBytes()), "qemu's migration stream magic is readable in the tunnel capture");
        assertTrue(indexOf(plain, "QEVM".getBytes()) >= 0, "qemu's stream magic is in the plaintext capture");
    }

    private static void awaitRunning(MigratingQemu target) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String status = target.status();
        while (!status.equals("running") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = target.status();
        }
        assertEquals("running", status, target.log());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
