package io.vmha.migration.tunnel;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import io.vmha.core.port.Journal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tunnel endpoint every host runs: accepts mutually authenticated TLS connections from pool members and relays
 * each admitted one to the loopback port of the incoming hypervisor endpoint it was {@link #expect}ed for. Journal
 * lines (source: this host) say what was admitted and what was refused, with the reason.
 */
public final class TunnelServer implements AutoCloseable {
    private enum State { LATENT, STARTED, CLOSED }

    /** One admission that {@link #expect} allows: used at most once. */
    record Expectation(String migrationId, String token, String sourceHost, int localPort) {
        @Override public String toString() {
            return "Expectation[" + migrationId + " from " + sourceHost + " to port " + localPort + ", token hidden]";
        }
    }

    private static final int REMEMBERED_USED_IDS = 4096;

    private final TunnelTls tls; // null only for the benchmark's plaintext relay
    private final String host;
    private final String bindAddress;
    private final int requestedPort;
    private final Membership members;
    private final Journal journal;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Map<String, Expectation> expected = new ConcurrentHashMap<>();
    private final Map<String, Channel> relaying = new ConcurrentHashMap<>();
    private final Map<String, Boolean> used = new LinkedHashMap<>(); // guarded by itself; the last ids burnt, for "replay"
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong maxPending = new AtomicLong();
    private final RelayHandler.Meter inbound = new RelayHandler.Meter() {
        @Override public void carried(long bytes) { bytesIn.addAndGet(bytes); }
        @Override public void pending(long bytes) { maxPending.accumulateAndGet(bytes, Math::max); }
    };
    private EventLoopGroup group;
    private Channel listener;

    public TunnelServer(TunnelTls tls, String bindAddress, int port, Membership members, Journal journal) {
        this(requireTls(tls), tls.host(), bindAddress, port, members, journal);
    }

    TunnelServer(TunnelTls tls, String host, String bindAddress, int port, Membership members, Journal journal) {
        if (port < 0 || port > 65535) throw new InvalidInputException("tunnel.port", port, "0 (any free port) to 65535");
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new InvalidInputException("tunnel.bind-address", bindAddress, "an IP address or host name of this host");
        }
        this.tls = tls;
        this.host = host;
        this.bindAddress = bindAddress;
        this.requestedPort = port;
        this.members = members;
        this.journal = journal;
    }

    private static TunnelTls requireTls(TunnelTls tls) {
        if (tls == null) throw new IllegalArgumentException("a tunnel server needs its TLS material (TunnelTls.load)");
        return tls;
    }

    public void start() throws IOException {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) throw new IllegalStateException("tunnel server already " + state.get());
        group = TunnelTransport.group(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), "server");
        ServerBootstrap bootstrap = TunnelTransport.acceptedOptions(new ServerBootstrap()).group(group)
                .channel(TunnelTransport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override protected void initChannel(Channel channel) {
                        if (tls != null) TunnelTransport.preferHeapForJdkEngine(channel, tls);
                        SslHandler ssl = tls == null ? null : tls.serverContext().newHandler(channel.alloc());
                        if (ssl != null) channel.pipeline().addLast("tls", ssl);
                        channel.pipeline().addLast("admission", new ServerAdmission(TunnelServer.this, ssl));
                    }
                });
        try {
            listener = bootstrap.bind(bindAddress, requestedPort).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked exception undeclared
            TunnelTransport.shutdown(group);
            state.set(State.CLOSED);
            throw new IOException("tunnel: cannot listen on " + bindAddress + ":" + requestedPort + ": " + e.getMessage(), e);
        }
        journal("listening on " + listener.localAddress() + " (" + (tls == null ? "plaintext benchmark relay" : "TLS 1.3, engine "
                + tls.engine()) + ", " + TunnelTransport.name() + ")");
    }

    public int port() {
        if (listener == null) throw new IllegalStateException("tunnel server not started");
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Admit ONE connection from sourceHost presenting (migrationId, token), relayed to 127.0.0.1:localPort. */
    public void expect(String migrationId, String token, String sourceHost, int localPort) {
        MigrationHeader.checkId(migrationId);
        MigrationHeader.checkToken(token);
        Names.check("sourceHost", sourceHost);
        if (localPort < 1 || localPort > 65535) throw new InvalidInputException("localPort", localPort, "1 to 65535");
        expected.put(migrationId, new Expectation(migrationId, token, sourceHost, localPort));
        journal("expecting migration " + migrationId + " from " + sourceHost + " to 127.0.0.1:" + localPort);
    }

    /** Withdraws an expectation, and cuts the migration's relay if it is running (a cancel). */
    public void forget(String migrationId) {
        Expectation removed = expected.remove(migrationId);
        Channel relay = relaying.remove(migrationId);
        if (relay != null) relay.close();
        if (removed != null || relay != null) journal("forgot migration " + migrationId + (relay != null ? " (relay cut)" : ""));
    }

    /** Bytes received from tunnel clients and passed to local endpoints, over all migrations. */
    public long bytesRelayed() {
        return bytesIn.get();
    }

    /** The most bytes any relay of this server held unsent for a slow local endpoint: bounded by the water marks. */
    public long maxPendingBytes() {
        return maxPending.get();
    }

    /** "openssl", "jdk", or "none" for the benchmark's plaintext relay. */
    public String engine() {
        return tls == null ? "none" : tls.engine();
    }

    @Override public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) return;
        if (listener != null) listener.close().awaitUninterruptibly();
        relaying.values().forEach(Channel::close);
        TunnelTransport.shutdown(group);
        journal("closed");
    }

    // ---- for ServerAdmission ----

    Membership members() { return members; }
    RelayHandler.Meter inbound() { return inbound; }
    Expectation expectation(String migrationId) { return expected.get(migrationId); }

    boolean wasUsed(String migrationId) {
        synchronized (used) {
            return used.containsKey(migrationId);
        }
    }

    /** Burns the token: true for exactly one caller per expectation. */
    boolean burn(Expectation expectation) {
        if (!expected.remove(expectation.migrationId(), expectation)) return false;
        synchronized (used) {
            used.put(expectation.migrationId(), Boolean.TRUE);
            if (used.size() > REMEMBERED_USED_IDS) used.remove(used.keySet().iterator().next());
        }
        return true;
    }

    void relayStarted(String migrationId, Channel tunnel, Channel local) {
        relaying.put(migrationId, tunnel);
        tunnel.closeFuture().addListener(f -> {
            relaying.remove(migrationId, tunnel);
            journal("migration " + migrationId + " relay closed");
        });
        local.closeFuture().addListener(f -> tunnel.close());
    }

    void journal(String message) {
        journal.record(host, "tunnel: " + message);
    }
}
