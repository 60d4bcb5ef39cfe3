package io.vmha.migration;

import io.vmha.config.MigrationConfig;
import io.vmha.core.PoolView;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import io.vmha.core.port.MigrationTunnel;
import io.vmha.migration.tunnel.Membership;
import io.vmha.migration.tunnel.TunnelClient;
import io.vmha.migration.tunnel.TunnelConfigException;
import io.vmha.migration.tunnel.TunnelServer;
import io.vmha.migration.tunnel.TunnelTls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The daemon's {@link MigrationTunnel}: one Netty mutual-TLS server per host, and one client per outgoing migration.
 * Membership, checked at every handshake on both ends, is the pool's {@code hosts/} as this daemon's cache sees it.
 */
public final class NettyMigrationTunnel implements MigrationTunnel, AutoCloseable {
    private final TunnelTls tls;
    private final TunnelServer server;
    private final Membership members;
    private final String endpoint;
    private final Map<String, TunnelClient> clients = new ConcurrentHashMap<>();

    private NettyMigrationTunnel(TunnelTls tls, TunnelServer server, Membership members, String endpoint) {
        this.tls = tls;
        this.server = server;
        this.members = members;
        this.endpoint = endpoint;
    }

    /** Load the host's TLS material (key modes checked) and start listening; errors name the file or key. */
    public static NettyMigrationTunnel start(String host, MigrationConfig config, Supplier<PoolView> view, Journal journal)
            throws TunnelConfigException, IOException {
        TunnelTls tls = TunnelTls.load(config.pkiDir(), host);
        Membership members = name -> view.get().members().containsKey(name);
        TunnelServer server = new TunnelServer(tls, config.listenHost(), config.listenPort(), members, journal);
        server.start();
        String advertise = config.advertise();
        if (advertise.isEmpty()) {
            String bind = config.listenHost();
            boolean wildcard = bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]");
            advertise = (wildcard ? host : bind) + ":" + server.port();
        }
        journal.record(host, "migration tunnel listening on " + config.listenHost() + ":" + server.port() + " (advertised "
                + advertise + ", TLS engine " + tls.engine() + ")");
        return new NettyMigrationTunnel(tls, server, members, advertise + " " + tls.engine());
    }

    @Override public String endpoint() { return endpoint; }

    @Override public void expect(String migrationId, String token, String sourceHost, int localPort) {
        server.expect(migrationId, token, sourceHost, localPort);
    }

    @Override public int open(String migrationId, String token, String targetHost, String address) throws HypervisorException {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) throw new HypervisorException("migration " + migrationId + ": target " + targetHost
                + " publishes no tunnel address (" + address + ")");
        try {
            InetSocketAddress target = new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            TunnelClient client = TunnelClient.open(tls, targetHost, target, migrationId, token, members);
            TunnelClient previous = clients.put(migrationId, client);
            if (previous != null) previous.close();
            return client.localPort();
        } catch (IOException | RuntimeException e) {
            throw new HypervisorException("migration " + migrationId + ": cannot open the tunnel to " + targetHost + " at "
                    + address + ": " + e.getMessage(), e);
        }
    }

    @Override public void close(String migrationId) {
        server.forget(migrationId);
        TunnelClient client = clients.remove(migrationId);
        if (client != null) client.close();
    }

    @Override public void close() {
        clients.values().forEach(TunnelClient::close);
        clients.clear();
        server.close();
    }
}
