package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.CLOCK;
import static io.vmha.coordination.ZkTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingZooKeeperServer;
import org.junit.jupiter.api.Test;

/**
 * The lease must prove a quorum, not just a server: a leader that lost its majority keeps answering
 * reads until it notices (syncLimit ticks), so a host attached to it would keep a "fresh" lease while the
 * hosts attached to the dead servers have none, and those would fence as isolated in a pool-wide outage.
 */
class LeaseQuorumTest {
    @Test
    void aLeaderWithoutItsMajorityRenewsNoLeaseEvenThoughItStillAnswersReads() throws Exception {
        try (TestingCluster cluster = new TestingCluster(3)) {
            cluster.start();
            TestingZooKeeperServer leader = awaitLeader(cluster);
            String onlyTheLeader = leader.getInstanceSpec().getConnectString();
            try (CuratorFramework client = Curators.newClient(onlyTheLeader, 20_000, 3_000);
                 ZooKeeperCoordination c = new ZooKeeperCoordination(started(client), "p1", "host-a", CLOCK, (s, m) -> {}, 200)) {
                c.start();
                await("a lease", Duration.ofSeconds(15), () -> c.connection().everContacted());
                long first = c.connection().lastContactMillis();
                await("the lease renewed", Duration.ofSeconds(5), () -> c.connection().lastContactMillis() > first);

                for (TestingZooKeeperServer s : cluster.getServers()) {
                    if (s != leader) cluster.killServer(s.getInstanceSpec());
                }
                long killedAt = CLOCK.monotonicMillis();
                // The premise: the leader still answers reads (a read-based probe would be fooled).
                assertNotNull(client.checkExists().forPath("/"), "the leader still serves reads after losing its majority");
                Thread.sleep(2_000);
                long last = c.connection().lastContactMillis();
                assertTrue(last <= killedAt, "lease renewed " + (last - killedAt)
                        + " ms after the majority died: a probe was answered without a quorum");
            }
        }
    }

    /** Asks each server with the {@code srvr} four-letter word (allowed by default) for its mode. */
    private static TestingZooKeeperServer awaitLeader(TestingCluster cluster) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (TestingZooKeeperServer s : cluster.getServers()) {
                if (srvr(s.getInstanceSpec().getPort()).contains("Mode: leader")) return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no leader elected in 20 s");
    }

    private static String srvr(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }

    private static CuratorFramework started(CuratorFramework client) {
        client.start();
        return client;
    }
}
