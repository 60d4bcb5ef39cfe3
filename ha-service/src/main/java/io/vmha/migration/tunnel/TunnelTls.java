package io.vmha.migration.tunnel;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import io.vmha.pki.Certificates;
import io.vmha.pki.KeyFiles;
import io.vmha.pki.PkiException;
import io.vmha.pki.PoolPki;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One host's TLS material (pool CA, host certificate and key from the PKI directory) and the engine that runs it:
 * BoringSSL through netty-tcnative ("openssl") when it loads, else the JDK's provider ("jdk", logged as a WARNING once).
 * TLS 1.3 only, AES-GCM only; the server requires a client certificate. Peer names and pool membership are checked
 * by the tunnel after the handshake ({@link PeerCheck}); the chain to the pool CA is checked by the handshake itself.
 */
public final class TunnelTls {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelTls.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    static final List<String> PROTOCOLS = List.of("TLSv1.3");
    /** AES-GCM only: AES-NI makes it the fastest AEAD here, and it is what the issue (and FIPS) asks for. */
    static final List<String> CIPHERS = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");

    /** The TLS implementation behind the tunnel. */
    public enum Engine {
        OPENSSL("openssl"), JDK("jdk");

        private final String label;

        Engine(String label) {
            this.label = label;
        }

        public String label() { return label; }
    }

    private final String host;
    private final Engine engine;
    private final X509Certificate ca;
    private final SslContext server;
    private final SslContext client;

    private TunnelTls(String host, Engine engine, X509Certificate ca, SslContext server, SslContext client) {
        this.host = host;
        this.engine = engine;
        this.ca = ca;
        this.server = server;
        this.client = client;
    }

    /** Loads {@code host}'s material from {@code pkiDir} (see {@link PoolPki}) on the best available engine. */
    public static TunnelTls load(Path pkiDir, String host) throws TunnelConfigException {
        return load(pkiDir, host, availableEngine());
    }

    /** As {@link #load(Path, String)} on a chosen engine (tests run both); OPENSSL when it cannot load fails. */
    public static TunnelTls load(Path pkiDir, String host, Engine engine) throws TunnelConfigException {
        try {
            Names.check("host.name", host);
        } catch (InvalidInputException e) {
            throw new TunnelConfigException(e.getMessage(), e);
        }
        if (engine == Engine.OPENSSL && !openSslUsable()) {
            throw new TunnelConfigException("tunnel engine: \"openssl\" is not available here (" + OpenSsl.unavailabilityCause()
                    + "); expected \"jdk\" or the netty-tcnative-boringssl-static jar for this platform");
        }
        PoolPki pki = new PoolPki(pkiDir);
        try {
            X509Certificate ca = Certificates.read(pki.caCertificate());
            X509Certificate cert = Certificates.read(pki.hostCertificate(host));
            KeyFiles.checkPermissions(pki.hostKey(host));
            PrivateKey key = KeyFiles.read(pki.hostKey(host));
            check(pki, host, ca, cert, key);
            return build(host, engine, ca, cert, key);
        } catch (PkiException e) {
            throw new TunnelConfigException(e.getMessage(), e);
        } catch (SSLException e) {
            throw new TunnelConfigException("tunnel TLS (" + engine.label() + ") cannot use " + pki.hostCertificate(host) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Contexts trusting only {@code ca}; no checks of the files (tests build impostors with it). */
    static TunnelTls build(String host, Engine engine, X509Certificate ca, X509Certificate cert, PrivateKey key) throws SSLException {
        SslProvider provider = engine == Engine.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK;
        SslContext server = SslContextBuilder.forServer(key, cert).trustManager(ca).clientAuth(ClientAuth.REQUIRE)
                .protocols(PROTOCOLS).ciphers(CIPHERS).sslProvider(provider).build();
        SslContext client = SslContextBuilder.forClient().keyManager(key, cert).trustManager(ca)
                .protocols(PROTOCOLS).ciphers(CIPHERS).sslProvider(provider).build();
        return new TunnelTls(host, engine, ca, server, client);
    }

    /** Ready-made contexts (tests: a client that offers a foreign certificate whatever CAs the server asks for). */
    static TunnelTls of(String host, Engine engine, X509Certificate ca, SslContext server, SslContext client) {
        return new TunnelTls(host, engine, ca, server, client);
    }

    /** OPENSSL when netty-tcnative's BoringSSL loads and speaks TLS 1.3, else JDK (with one WARNING per process). */
    public static Engine availableEngine() {
        if (openSslUsable()) return Engine.OPENSSL;
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("migration tunnel: BoringSSL (netty-tcnative) is not available ({}); using the JDK's TLS, which is slower",
                    OpenSsl.isAvailable() ? "no TLS 1.3" : String.valueOf(OpenSsl.unavailabilityCause()));
        }
        return Engine.JDK;
    }

    private static boolean openSslUsable() {
        return OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL);
    }

    private static void check(PoolPki pki, String host, X509Certificate ca, X509Certificate cert, PrivateKey key)
            throws TunnelConfigException {
        Path file = pki.hostCertificate(host);
        if (!Certificates.names(cert).contains(host)) {
            throw new TunnelConfigException("certificate file " + file + ": names " + Certificates.names(cert) + "; expected a "
                    + "certificate for host \"" + host + "\" (vmha pki issue " + host + ")");
        }
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new TunnelConfigException("certificate file " + file + ": not signed by the pool CA " + pki.caCertificate()
                    + "; expected a certificate issued by 'vmha pki issue' with this CA");
        }
        Instant now = Instant.now();
        if (cert.getNotAfter().toInstant().isBefore(now) || cert.getNotBefore().toInstant().isAfter(now)) {
            throw new TunnelConfigException("certificate file " + file + ": valid from " + cert.getNotBefore().toInstant() + " to "
                    + cert.getNotAfter().toInstant() + ", not now; expected a current certificate (vmha pki issue " + host + " --force)");
        }
        if (!Certificates.matches(cert, key)) {
            throw new TunnelConfigException("private key file " + pki.hostKey(host) + ": does not belong to " + file
                    + "; expected the key issued with it");
        }
    }

    public String host() { return host; }

    /** "openssl" (BoringSSL via netty-tcnative) or "jdk". */
    public String engine() { return engine.label(); }

    X509Certificate ca() { return ca; }
    SslContext serverContext() { return server; }
    SslContext clientContext() { return client; }
}
