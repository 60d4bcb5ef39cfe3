package io.vmha.migration.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.vmha.core.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The source side of one migration: listens on 127.0.0.1:0; the first local connection (the hypervisor's migration
 * stream) is relayed over mutually authenticated TLS to the target's {@link TunnelServer}, presenting the migration's
 * id and one-time token. Later local connections are closed at once. Its own event loop thread, ended by close.
 */
public final class TunnelClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelClient.class);

    private final TunnelTls tls; // null only for the benchmark's plaintext relay
    private final String targetHost;
    private final InetSocketAddress target;
    private final String migrationId;
    private final String token;
    private final Membership members;
    private final EventLoopGroup group;
    private final AtomicBoolean taken = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicLong bytes = new AtomicLong();
    private final RelayHandler.Meter outbound = new RelayHandler.Meter() {
        @Override public void carried(long count) { bytes.addAndGet(count); }
        @Override public void pending(long count) {}
    };
    private volatile Channel listener;
    private volatile Channel tunnel;
    private volatile boolean admitted;

    private TunnelClient(TunnelTls tls, String targetHost, InetSocketAddress target, String migrationId, String token,
                         Membership members) {
        this.tls = tls;
        this.targetHost = targetHost;
        this.target = target;
        this.migrationId = migrationId;
        this.token = token;
        this.members = members;
        this.group = TunnelTransport.group(1, "client");
    }

    /**
     * Listens on 127.0.0.1:0; the first local connection (the hypervisor's stream) is relayed over TLS to target,
     * presenting (migrationId, token); the server's cert must chain to the pool CA and name targetHost.
     */
    public static TunnelClient open(TunnelTls tls, String targetHost, InetSocketAddress target, String migrationId, String token,
                                    Membership members) throws IOException {
        if (tls == null) throw new IllegalArgumentException("a tunnel client needs its TLS material (TunnelTls.load)");
        Names.check("targetHost", targetHost);
        return openChecked(tls, targetHost, target, migrationId, token, members);
    }

    /** Also for the benchmark's plaintext relay ({@code tls} null). */
    static TunnelClient openChecked(TunnelTls tls, String targetHost, InetSocketAddress target, String migrationId, String token,
                                    Membership members) throws IOException {
        MigrationHeader.checkId(migrationId);
        MigrationHeader.checkToken(token);
        TunnelClient client = new TunnelClient(tls, targetHost, target, migrationId, token, members);
        client.listen();
        return client;
    }

    private void listen() throws IOException {
        ServerBootstrap bootstrap = TunnelTransport.acceptedOptions(new ServerBootstrap()).group(group)
                .channel(TunnelTransport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override protected void initChannel(Channel local) {
                        if (!taken.compareAndSet(false, true)) {
                            LOG.warn("tunnel client of migration {}: closed a second local connection from {}", migrationId,
                                    local.remoteAddress());
                            local.close();
                            return;
                        }
                        connect(local);
                    }
                });
        try {
            listener = bootstrap.bind("127.0.0.1", 0).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked exception undeclared
            TunnelTransport.shutdown(group);
            throw new IOException("tunnel client: cannot listen on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /** Connects to the target on the local connection's own event loop, so the relay needs no locking. */
    private void connect(Channel local) {
        Bootstrap bootstrap = TunnelTransport.connectionOptions(new Bootstrap()).group(local.eventLoop())
                .channel(TunnelTransport.channel())
                .handler(new ChannelInitializer<Channel>() {
                    @Override protected void initChannel(Channel channel) {
                        if (tls != null) TunnelTransport.preferHeapForJdkEngine(channel, tls);
                        SslHandler ssl = tls == null ? null : tls.clientContext().newHandler(channel.alloc());
                        if (ssl != null) channel.pipeline().addLast("tls", ssl);
                        channel.pipeline().addLast("handshake", new ClientHandshake(TunnelClient.this, ssl, local));
                    }
                });
        tunnel = bootstrap.connect(target).addListener(f -> {
            if (!f.isSuccess()) {
                failed("cannot connect to " + targetHost + " at " + target + ": " + ServerAdmission.describe(f.cause()));
                local.close();
            }
        }).channel();
        local.closeFuture().addListener(f -> {
            Channel t = tunnel;
            if (t != null && !admitted) t.close();
        });
    }

    public int localPort() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Bytes read from the local connection and sent to the target. */
    public long bytesRelayed() {
        return bytes.get();
    }

    /** Why the tunnel failed (refused, handshake, target not a member, I/O), if it did; empty while all is well. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** True once the target admitted the connection and the relay runs. */
    public boolean isAdmitted() {
        return admitted;
    }

    /** "openssl", "jdk", or "none" for the benchmark's plaintext relay. */
    public String engine() {
        return tls == null ? "none" : tls.engine();
    }

    @Override public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (listener != null) listener.close().awaitUninterruptibly();
        Channel t = tunnel;
        if (t != null) t.close().awaitUninterruptibly();
        TunnelTransport.shutdown(group);
    }

    // ---- for ClientHandshake ----

    String targetHost() { return targetHost; }
    String migrationId() { return migrationId; }
    String token() { return token; }
    Membership members() { return members; }
    RelayHandler.Meter outbound() { return outbound; }

    void admitted() {
        admitted = true;
        LOG.info("tunnel client: migration {} admitted by {} at {}", migrationId, targetHost, target);
    }

    void failed(String reason) {
        if (failure.compareAndSet(null, reason)) LOG.warn("tunnel client: migration {} to {}: {}", migrationId, targetHost, reason);
    }
}
