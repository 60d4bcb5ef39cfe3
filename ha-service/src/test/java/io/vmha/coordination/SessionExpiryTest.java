package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.CLOCK;
import static io.vmha.coordination.ZkTestSupport.await;
import static io.vmha.coordination.ZkTestSupport.eventually;
import static io.vmha.coordination.ZkTestSupport.startedClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.HostCapacity;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

class SessionExpiryTest {
    @Test
    void expiredSessionDropsMembershipAndTheHostRejoinsWithItsNewSession() throws Exception {
        ZkTestSupport.RecordingJournal journalA = new ZkTestSupport.RecordingJournal();
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework clientA = startedClient(server.getConnectString());
             CuratorFramework clientB = startedClient(server.getConnectString());
             ZooKeeperCoordination a = new ZooKeeperCoordination(clientA, "p1", "host-a", CLOCK, journalA, 200);
             ZooKeeperCoordination b = new ZooKeeperCoordination(clientB, "p1", "host-b", CLOCK, (s, m) -> {}, 200)) {
            a.start();
            b.start();
            await("a connected", Duration.ofSeconds(5), () -> a.connection().connected());
            long firstSession = a.connection().sessionId();
            assertNotEquals(0, firstSession);
            HostRecord record = new HostRecord("host-a", new HostCapacity(4096, 4), 1, HostState.ACTIVE);
            a.publishHost(record);
            await("b seeing host-a", Duration.ofSeconds(5), () -> b.view().members().containsKey("host-a"));

            KillSession.kill(clientA.getZookeeperClient().getZooKeeper());

            await("a seeing its session go", Duration.ofSeconds(5),
                    () -> journalA.contains("=> LOST") || journalA.contains("=> SUSPENDED"));
            // Another host sees the ephemeral node go once the server expires the old session.
            await("host-a gone from b's view", Duration.ofSeconds(10), () -> !b.view().members().containsKey("host-a"));
            await("a reconnected with a new session", Duration.ofSeconds(10),
                    () -> a.connection().connected() && a.connection().sessionId() != firstSession);

            // Rejoin: may be refused until the server has expired the old session, then succeeds.
            eventually("publishHost with the new session", Duration.ofSeconds(10), () -> {
                a.publishHost(record.withState(HostState.JOINING));
                return null;
            });
            Stat stat = clientB.checkExists().forPath(a.paths().host("host-a"));
            assertEquals(a.connection().sessionId(), stat.getEphemeralOwner(), "node owned by the new session");
            await("b seeing host-a again", Duration.ofSeconds(5),
                    () -> b.view().members().containsKey("host-a")
                            && b.view().members().get("host-a").state() == HostState.JOINING);
            assertTrue(journalA.contains("=> CONNECTED"), journalA.lines().toString());
        }
    }
}
