package io.vmha.coordination;

import io.vmha.core.port.Clock;
import io.vmha.core.port.Connection;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the host's lease: every probe period it sends one small write ({@code leases/<host>}) and, when
 * ZooKeeper acknowledges it, records the time the request was <em>sent</em>. The ensemble heard this
 * session no earlier than that, so it cannot expire the session before that time plus the session
 * timeout; the host self-fences before then (see {@link io.vmha.core.Timings}).
 *
 * <p>A write, not a read, because only a write proves a <em>quorum</em> is alive: a server that lost the
 * majority keeps answering reads locally until it notices (up to syncLimit ticks). Hosts attached to such
 * a server would then claim fresh ZooKeeper contact on the heartbeat disk while hosts attached to the dead
 * servers saw none, and the latter would fence as "isolated" in what is really a pool-wide outage (seen
 * in the chaos runs: majority loss fenced hosts in 2 of 20 runs). A write stalls for everyone at once.
 *
 * <p>After a reconnect the probe runs at once instead of at its next period, and an answer that renews a
 * lease which had gone quiet wakes the daemon, so the fence guard is fed the new deadline without waiting
 * for a loop tick: a host that reconnects just before its lease runs out must not lose the race by up to
 * two periods (seen once after a 3 s partition).
 */
final class LeaseProbe implements AutoCloseable {
    private final CuratorFramework client;
    private final Clock clock;
    private final String path;
    private final long periodMillis;
    private final AtomicLong lastContact;
    private final ScheduledExecutorService timer;

    private final byte[] payload;
    private final Runnable onRenewedAfterGap;

    LeaseProbe(CuratorFramework client, Clock clock, String path, long periodMillis, String host,
               Runnable onRenewedAfterGap) {
        this.client = client;
        this.clock = clock;
        this.path = path;
        this.periodMillis = periodMillis;
        this.payload = host.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.onRenewedAfterGap = onRenewedAfterGap;
        // No lease until the server answers: a restarted daemon must not keep VMs it found running on the
        // strength of its own start time while its previous session may be about to expire.
        this.lastContact = new AtomicLong(Connection.NEVER);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vmha-lease-probe-" + host);
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        client.getConnectionStateListenable().addListener((c, newState) -> {
            if (newState.isConnected()) probeNow();
        });
        timer.scheduleWithFixedDelay(this::probe, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void probeNow() {
        try {
            timer.execute(this::probe);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing: no more probes, by contract
        }
    }

    /** Monotonic send time of the newest probe the server answered. */
    long lastContactMillis() { return lastContact.get(); }

    private void probe() {
        try {
            if (!client.getZookeeperClient().isConnected()) return;
            ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
            long sent = clock.monotonicMillis();
            String full = ZKPaths.fixForNamespace(client.getNamespace(), path);
            zk.setData(full, payload, -1, (rc, p, ctx, stat) -> {
                KeeperException.Code code = KeeperException.Code.get(rc);
                if (code == KeeperException.Code.OK) {
                    long before = lastContact.getAndAccumulate(sent, Math::max);
                    if (before == Connection.NEVER || sent - before > periodMillis * 3 / 2) onRenewedAfterGap.run();
                } else if (code == KeeperException.Code.NONODE) {
                    // First probe of this host (or the pool was wiped): create the node; the next probe counts.
                    zk.create(full, payload, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                            (rc2, p2, ctx2, name) -> {
                                KeeperException.Code created = KeeperException.Code.get(rc2);
                                if (created == KeeperException.Code.OK || created == KeeperException.Code.NODEEXISTS) probeNow();
                            }, null);
                }
            }, null);
        } catch (Exception e) {
            // Not connected or closing: no contact is recorded, which is exactly the point.
        }
    }

    @Override public void close() { timer.shutdownNow(); }
}
