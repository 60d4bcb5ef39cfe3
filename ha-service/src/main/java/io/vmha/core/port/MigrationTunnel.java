package io.vmha.core.port;

/**
 * The authenticated channel a migration stream crosses between two hosts (the Netty mutual-TLS tunnel in the
 * daemon, a pipe on the virtual clock in the simulator). Calls return promptly.
 */
public interface MigrationTunnel {
    /** "address:port engine" of this host's listening end, published in its host record; "" when there is none. */
    String endpoint();

    /**
     * Target: admit exactly one connection for {@code migrationId}, from {@code sourceHost}, presenting
     * {@code token}, and deliver it to the hypervisor's incoming port {@code localPort}.
     */
    void expect(String migrationId, String token, String sourceHost, int localPort);

    /**
     * Source: open the local end of a tunnel to {@code targetHost} listening at {@code address}; returns the loopback
     * port the hypervisor sends its stream to.
     */
    int open(String migrationId, String token, String targetHost, String address) throws HypervisorException;

    /** Either side: drop what is kept for {@code migrationId} (an expectation, an open local end); idempotent. */
    void close(String migrationId);

    /** No tunnel: this host neither sends nor receives live migrations. */
    MigrationTunnel NONE = new MigrationTunnel() {
        @Override public String endpoint() { return ""; }

        @Override public void expect(String migrationId, String token, String sourceHost, int localPort) {
            throw new IllegalStateException("no migration tunnel on this host");
        }

        @Override public int open(String migrationId, String token, String targetHost, String address) throws HypervisorException {
            throw new HypervisorException("no migration tunnel on this host");
        }

        @Override public void close(String migrationId) { }
    };
}
