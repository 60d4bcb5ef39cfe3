package io.vmha.migration.tunnel;

import io.vmha.core.port.Journal;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The tunnel's relay WITHOUT TLS and without peer authentication, for {@code vmha bench tunnel} only: the same
 * Netty code path (transport, buffers, header and token, relay handlers), so that comparing it with the TLS tunnel
 * measures the cost of TLS. The agent never uses this; it binds loopback only.
 */
public final class BenchmarkRelays {
    private BenchmarkRelays() {}

    public static TunnelServer plaintextServer(Journal journal) {
        return new TunnelServer(null, "bench-plaintext", "127.0.0.1", 0, host -> false, journal);
    }

    public static TunnelClient plaintextClient(InetSocketAddress target, String migrationId, String token) throws IOException {
        if (!target.getAddress().isLoopbackAddress()) throw new IllegalArgumentException("the plaintext relay is loopback only: " + target);
        return TunnelClient.openChecked(null, "bench-plaintext", target, migrationId, token, host -> false);
    }
}
