package io.vmha.migration.tunnel;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SimpleKeyManagerFactory;
import io.vmha.core.port.Journal;
import io.vmha.pki.Certificates;
import io.vmha.pki.KeyFiles;
import io.vmha.pki.PoolPki;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/** Real PKI material in a temp dir (pool CA with hosts src, dst, bystander; a foreign CA with its own src), and helpers. */
final class TunnelFixture implements AutoCloseable {
    final Path root;
    final Path pool;
    final Path foreign;
    final RecordingJournal journal = new RecordingJournal();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    TunnelFixture() throws Exception {
        root = Files.createTempDirectory("vmha-tunnel-test-");
        pool = root.resolve("pool");
        foreign = root.resolve("foreign");
        PoolPki pki = new PoolPki(pool);
        pki.init("test", 30, Instant.now());
        for (String host : List.of("src", "dst", "bystander")) pki.issue(host, 30, false, Instant.now());
        PoolPki other = new PoolPki(foreign);
        other.init("other", 30, Instant.now());
        other.issue("src", 30, false, Instant.now());
    }

    TunnelTls tls(String host, TunnelTls.Engine engine) throws TunnelConfigException {
        return TunnelTls.load(pool, host, engine);
    }

    /**
     * Trusts the pool CA (so it can talk) but presents {@code host}'s certificate from the foreign CA, and offers it even
     * though the server's CertificateRequest names only the pool CA (a stock key manager would then send none).
     */
    TunnelTls impostor(String host, TunnelTls.Engine engine) throws Exception {
        PoolPki other = new PoolPki(foreign);
        if (!Files.exists(other.hostCertificate(host))) other.issue(host, 30, false, Instant.now());
        X509Certificate ca = Certificates.read(new PoolPki(pool).caCertificate());
        X509Certificate cert = Certificates.read(other.hostCertificate(host));
        PrivateKey key = KeyFiles.read(other.hostKey(host));
        SslProvider provider = engine == TunnelTls.Engine.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK;
        SslContext server = SslContextBuilder.forServer(key, cert).trustManager(ca).clientAuth(ClientAuth.REQUIRE)
                .protocols(TunnelTls.PROTOCOLS).ciphers(TunnelTls.CIPHERS).sslProvider(provider).build();
        SslContext client = SslContextBuilder.forClient().keyManager(new PushyKeyManagerFactory(key, cert)).trustManager(ca)
                .protocols(TunnelTls.PROTOCOLS).ciphers(TunnelTls.CIPHERS).sslProvider(provider).build();
        return TunnelTls.of(host, engine, ca, server, client);
    }

    /** Offers its one certificate to every server, whatever issuers the server asks for. */
    private static final class PushyKeyManagerFactory extends SimpleKeyManagerFactory {
        private final X509ExtendedKeyManager manager;

        PushyKeyManagerFactory(PrivateKey key, X509Certificate cert) {
            manager = new X509ExtendedKeyManager() {
                @Override public String[] getClientAliases(String type, Principal[] issuers) { return new String[] {"me"}; }
                @Override public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) { return "me"; }
                @Override public String chooseEngineClientAlias(String[] types, Principal[] issuers, SSLEngine engine) { return "me"; }
                @Override public String[] getServerAliases(String type, Principal[] issuers) { return new String[] {"me"}; }
                @Override public String chooseServerAlias(String type, Principal[] issuers, Socket socket) { return "me"; }
                @Override public String chooseEngineServerAlias(String type, Principal[] issuers, SSLEngine engine) { return "me"; }
                @Override public X509Certificate[] getCertificateChain(String alias) { return new X509Certificate[] {cert}; }
                @Override public PrivateKey getPrivateKey(String alias) { return key; }
            };
        }

        @Override protected void engineInit(KeyStore keyStore, char[] password) {}
        @Override protected void engineInit(ManagerFactoryParameters params) {}
        @Override protected KeyManager[] engineGetKeyManagers() { return new KeyManager[] {manager}; }
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    TunnelServer server(TunnelTls tls, Membership members) throws IOException {
        TunnelServer server = closeLater(new TunnelServer(tls, "127.0.0.1", 0, members, journal));
        server.start();
        return server;
    }

    InetSocketAddress address(TunnelServer server) {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    /** A local endpoint standing in for the incoming hypervisor: accepts connections on a loopback port. */
    ServerSocket endpoint() throws IOException {
        ServerSocket socket = closeLater(new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()));
        socket.setSoTimeout(15_000);
        return socket;
    }

    /** Connects to the client's local port like the source hypervisor would. */
    Socket hypervisor(TunnelClient client) throws IOException {
        Socket socket = closeLater(new Socket("127.0.0.1", client.localPort()));
        socket.setSoTimeout(15_000);
        return socket;
    }

    static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) fail("expected " + n + " bytes, the stream ended after " + bytes.length);
        return bytes;
    }

    static void write(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Override public void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) closeables.get(i).close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The journal port, recorded for assertions. */
    static final class RecordingJournal implements Journal {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override public void record(String source, String message) {
            lines.add(source + ": " + message);
        }

        boolean has(String fragment) {
            return lines.stream().anyMatch(l -> l.contains(fragment));
        }

        void await(String fragment) throws InterruptedException {
            TunnelFixture.await("journal line containing \"" + fragment + "\" in " + lines, () -> has(fragment));
        }
    }
}
