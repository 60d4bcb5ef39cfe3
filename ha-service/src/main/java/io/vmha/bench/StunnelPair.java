package io.vmha.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's stunnel as the comparison relay: a client process (accepts plaintext, connects over TLS) and a server
 * process (accepts TLS, connects to the sink), both in the foreground, TLS 1.3, the same AES-GCM suites, the same
 * certificates and CA as the vmha tunnel, with the client verifying the server's chain and name and the server
 * requiring and verifying the client's certificate.
 */
final class StunnelPair implements AutoCloseable {
    private static final List<String> BINARIES = List.of("/usr/bin/stunnel4", "/usr/bin/stunnel", "/usr/sbin/stunnel4",
            "/usr/sbin/stunnel");

    private final Process server;
    private final Process client;
    private final int entryPort;

    private StunnelPair(Process server, Process client, int entryPort) {
        this.server = server;
        this.client = client;
        this.entryPort = entryPort;
    }

    /** The stunnel binary, or an exception telling the operator which Debian package to install. */
    static Path binary() throws IOException {
        for (String candidate : BINARIES) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) return path;
        }
        String searchPath = System.getenv().getOrDefault("PATH", "");
        for (String dir : searchPath.split(":")) {
            for (String name : List.of("stunnel4", "stunnel")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name);
            }
        }
        throw new IOException("stunnel is not installed (looked for stunnel4 and stunnel in " + BINARIES + " and on PATH); "
                + "the benchmark compares the tunnel with it: install the Debian package stunnel4 (apt-get install stunnel4)");
    }

    /** Starts both processes in {@code dir} with the PKI in {@code pki}, relaying to {@code sinkPort}; waits until both listen. */
    static StunnelPair start(Path binary, Path dir, Path pki, String clientHost, String serverHost, int sinkPort) throws IOException {
        int tlsPort = freePort();
        int entryPort = freePort();
        String common = "foreground = yes\npid =\ndebug = notice\n";
        String tls = "sslVersionMin = TLSv1.3\nsslVersionMax = TLSv1.3\n"
                + "ciphersuites = TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384\n"
                + "CAfile = " + pki.resolve("ca.crt") + "\nverifyChain = yes\n";
        Path serverConf = dir.resolve("stunnel-server.conf");
        Files.writeString(serverConf, common + "[vmha-bench-server]\nclient = no\naccept = 127.0.0.1:" + tlsPort
                + "\nconnect = 127.0.0.1:" + sinkPort + "\n" + tls + "requireCert = yes\n"
                + "cert = " + pki.resolve("hosts/" + serverHost + ".crt") + "\nkey = " + pki.resolve("hosts/" + serverHost + ".key") + "\n");
        Path clientConf = dir.resolve("stunnel-client.conf");
        Files.writeString(clientConf, common + "[vmha-bench-client]\nclient = yes\naccept = 127.0.0.1:" + entryPort
                + "\nconnect = 127.0.0.1:" + tlsPort + "\n" + tls + "checkHost = " + serverHost + "\n"
                + "cert = " + pki.resolve("hosts/" + clientHost + ".crt") + "\nkey = " + pki.resolve("hosts/" + clientHost + ".key") + "\n");
        Process server = launch(binary, serverConf, dir.resolve("stunnel-server.log"));
        Process client;
        try {
            client = launch(binary, clientConf, dir.resolve("stunnel-client.log"));
        } catch (IOException e) {
            stop(server);
            throw e;
        }
        StunnelPair pair = new StunnelPair(server, client, entryPort);
        try {
            awaitReady(server, dir.resolve("stunnel-server.log"));
            awaitReady(client, dir.resolve("stunnel-client.log"));
        } catch (IOException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    int entryPort() { return entryPort; }

    List<Long> pids() { return List.of(server.pid(), client.pid()); }

    private static Process launch(Path binary, Path conf, Path log) throws IOException {
        Process p = new ProcessBuilder(binary.toString(), conf.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        return p;
    }

    private static void awaitReady(Process p, Path log) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains("Configuration successful")) return;
            if (!p.isAlive()) throw new IOException("stunnel exited with " + p.exitValue() + " at start: " + text.strip());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for stunnel", e);
            }
        }
        throw new IOException("stunnel did not report 'Configuration successful' within 15 s: " + Files.readString(log).strip());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override public void close() {
        stop(client);
        stop(server);
    }
}
