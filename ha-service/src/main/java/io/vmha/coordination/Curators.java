package io.vmha.coordination;

import io.vmha.core.InvalidInputException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** The one place where vmha's Curator clients are configured. */
public final class Curators {
    /**
     * Retries ride over a single server's failure (the client moves to another server of the ensemble)
     * but give up in well under a second of sleeping (100 + 200 + 400 ms, capped at 1 s): longer, a
     * daemon loop would sit blocked in a write while it should be reacting to SUSPENDED and freezing.
     */
    static final int RETRY_BASE_MS = 100;
    static final int RETRY_COUNT = 3;
    static final int RETRY_MAX_SLEEP_MS = 1000;

    private Curators() {}

    /**
     * A new, not yet started client (call {@code start()}, as with Curator's own factory).
     *
     * @param sessionTimeoutMs    how long the pool waits before a silent host's ephemeral node vanishes;
     *                            the server clamps it to [minSessionTimeout, maxSessionTimeout]
     * @param connectionTimeoutMs how long one operation waits for a connection before failing
     */
    public static CuratorFramework newClient(String connectString, int sessionTimeoutMs, int connectionTimeoutMs) {
        if (sessionTimeoutMs <= 0) throw new InvalidInputException("zookeeper.session-timeout-ms", sessionTimeoutMs, "a positive number of ms");
        if (connectionTimeoutMs <= 0) {
            throw new InvalidInputException("zookeeper.connection-timeout-ms", connectionTimeoutMs, "a positive number of ms");
        }
        return CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new ExponentialBackoffRetry(RETRY_BASE_MS, RETRY_COUNT, RETRY_MAX_SLEEP_MS))
                .build();
    }
}
