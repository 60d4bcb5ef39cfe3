package io.vmha.migration.tunnel;

import io.vmha.core.InvalidInputException;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import io.vmha.core.port.MigrationTunnel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link MigrationTunnel} port on the Netty tunnel: one {@link TunnelServer} for incoming migrations, and one
 * {@link TunnelClient} per outgoing migration. Lifecycle: {@link #start()} once, {@link #close()} (idempotent).
 */
public final class NettyMigrationTunnel implements MigrationTunnel, AutoCloseable {
    private final TunnelTls tls;
    private final String advertisedAddress;
    private final Membership members;
    private final TunnelServer server;
    private final Map<String, TunnelClient> outgoing = new ConcurrentHashMap<>();

    /**
     * @param bindAddress       where the server listens (e.g. "0.0.0.0" or the migration network's address)
     * @param port              the server's port, 0 for any free port
     * @param advertisedAddress the address other hosts reach this one at, published by {@link #endpoint()}
     */
    public NettyMigrationTunnel(TunnelTls tls, String bindAddress, int port, String advertisedAddress, Membership members,
                                Journal journal) {
        this.tls = tls;
        this.advertisedAddress = advertisedAddress;
        this.members = members;
        this.server = new TunnelServer(tls, bindAddress, port, members, journal);
    }

    public void start() throws IOException {
        server.start();
    }

    /** "address:port engine", e.g. "10.0.0.5:7010 openssl". */
    @Override public String endpoint() {
        return advertisedAddress + ":" + server.port() + " " + tls.engine();
    }

    @Override public void expect(String migrationId, String token, String sourceHost, int localPort) {
        server.expect(migrationId, token, sourceHost, localPort);
    }

    /** {@code address} is "host:port" as published by the target's {@link #endpoint()} (a trailing engine word is ignored). */
    @Override public int open(String migrationId, String token, String targetHost, String address) throws HypervisorException {
        InetSocketAddress target = parse(address);
        try {
            TunnelClient client = TunnelClient.open(tls, targetHost, target, migrationId, token, members);
            TunnelClient previous = outgoing.put(migrationId, client);
            if (previous != null) previous.close();
            return client.localPort();
        } catch (IOException | IllegalArgumentException e) {
            throw new HypervisorException("tunnel to " + targetHost + " at " + address + " for migration " + migrationId + ": "
                    + e.getMessage(), e);
        }
    }

    @Override public void close(String migrationId) {
        server.forget(migrationId);
        TunnelClient client = outgoing.remove(migrationId);
        if (client != null) client.close();
    }

    /** Bytes relayed so far by the outgoing tunnel of a migration (-1 if there is none): for progress. */
    public long bytesSent(String migrationId) {
        TunnelClient client = outgoing.get(migrationId);
        return client == null ? -1 : client.bytesRelayed();
    }

    /** Why an outgoing tunnel failed, if it did ("" when it did not or does not exist). */
    public String failure(String migrationId) {
        TunnelClient client = outgoing.get(migrationId);
        return client == null ? "" : client.failure().orElse("");
    }

    public String engine() {
        return tls.engine();
    }

    @Override public void close() {
        outgoing.values().forEach(TunnelClient::close);
        outgoing.clear();
        server.close();
    }

    static InetSocketAddress parse(String address) {
        String hostPort = address == null ? "" : address.strip().split(" ")[0];
        int colon = hostPort.lastIndexOf(':');
        String accepted = "\"address:port\" (as in a host record's tunnel endpoint), e.g. \"10.0.0.5:7010\"";
        if (colon <= 0) throw new InvalidInputException("tunnel address", address, accepted);
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 1 || port > 65535) throw new NumberFormatException();
            return new InetSocketAddress(host, port);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("tunnel address", address, accepted);
        }
    }
}
