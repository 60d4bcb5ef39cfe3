package io.vmha.coordination;

import io.vmha.core.port.Clock;
import io.vmha.core.port.Connection;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the host's lease: every few hundred milliseconds it sends one cheap read to ZooKeeper and,
 * when the server answers, records the time the request was <em>sent</em>. The server heard this
 * session no earlier than that, so it cannot expire the session before that time plus the session
 * timeout; the host self-fences before then (see {@link io.vmha.core.Timings}). Reads only: liveness
 * itself still comes from the session, the probe just measures it from this side.
 */
final class LeaseProbe implements AutoCloseable {
    private final CuratorFramework client;
    private final Clock clock;
    private final String path;
    private final long periodMillis;
    private final AtomicLong lastContact;
    private final ScheduledExecutorService timer;

    LeaseProbe(CuratorFramework client, Clock clock, String path, long periodMillis, String host) {
        this.client = client;
        this.clock = clock;
        this.path = path;
        this.periodMillis = periodMillis;
        // No lease until the server answers: a restarted daemon must not keep VMs it found running on the
        // strength of its own start time while its previous session may be about to expire.
        this.lastContact = new AtomicLong(Connection.NEVER);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vmha-lease-probe-" + host);
            t.setDaemon(true);
            return t;
        });
    }

    void start() { timer.scheduleWithFixedDelay(this::probe, 0, periodMillis, TimeUnit.MILLISECONDS); }

    /** Monotonic send time of the newest probe the server answered. */
    long lastContactMillis() { return lastContact.get(); }

    private void probe() {
        try {
            if (!client.getZookeeperClient().isConnected()) return;
            ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
            long sent = clock.monotonicMillis();
            zk.exists(ZKPaths.fixForNamespace(client.getNamespace(), path), false, (rc, p, ctx, stat) -> {
                KeeperException.Code code = KeeperException.Code.get(rc);
                if (code == KeeperException.Code.OK || code == KeeperException.Code.NONODE) {
                    lastContact.accumulateAndGet(sent, Math::max);
                }
            }, null);
        } catch (Exception e) {
            // Not connected or closing: no contact is recorded, which is exactly the point.
        }
    }

    @Override public void close() { timer.shutdownNow(); }
}
