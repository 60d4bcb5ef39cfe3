package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.CLOCK;
import static io.vmha.coordination.ZkTestSupport.await;
import static io.vmha.coordination.ZkTestSupport.eventually;
import static io.vmha.coordination.ZkTestSupport.startedClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.HostCapacity;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.InvalidInputException;
import io.vmha.core.port.CoordinationException;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

class PublishHostTest {
    private static final HostRecord RECORD = new HostRecord("host-a", new HostCapacity(8192, 8), 1, HostState.JOINING);
    /** The same host after a daemon restart: a new incarnation. */
    private static final HostRecord RESTARTED = new HostRecord("host-a", new HostCapacity(8192, 8), 2, HostState.JOINING);

    @Test
    void refusedWhileAPreviousSessionOfTheSameHostHoldsTheNode() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework old = startedClient(server.getConnectString());
             CuratorFramework fresh = startedClient(server.getConnectString());
             ZooKeeperCoordination previousDaemon = new ZooKeeperCoordination(old, "p1", "host-a", CLOCK, (s, m) -> {}, 200);
             ZooKeeperCoordination restarted = new ZooKeeperCoordination(fresh, "p1", "host-a", CLOCK, (s, m) -> {}, 200)) {
            previousDaemon.start();
            restarted.start();
            previousDaemon.publishHost(RECORD);
            // Same session: replaces the data in place.
            previousDaemon.publishHost(RECORD.withState(HostState.ACTIVE));

            CoordinationException refused = assertThrows(CoordinationException.class,
                    () -> restarted.publishHost(RESTARTED));
            assertTrue(refused.getMessage().contains("host-a"), refused.getMessage());
            assertTrue(refused.getMessage().contains("expire"), refused.getMessage());
            await("restarted seeing the old record", Duration.ofSeconds(5),
                    () -> restarted.view().members().containsKey("host-a"));
            assertEquals(HostState.ACTIVE, restarted.view().members().get("host-a").state());

            old.close(); // the previous session ends (a real restart waits for its expiry instead)
            eventually("restarted joining", Duration.ofSeconds(10), () -> {
                restarted.publishHost(RESTARTED);
                return null;
            });
            await("the new record in the view", Duration.ofSeconds(5),
                    () -> restarted.view().members().containsKey("host-a")
                            && restarted.view().members().get("host-a").incarnation() == 2
                            && restarted.view().members().get("host-a").state() == HostState.JOINING);
        }
    }

    /** After a long outage Curator opens a new session for the same daemon: it takes its node over at once. */
    @Test
    void replacesTheNodeOfItsOwnEarlierSession() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework old = startedClient(server.getConnectString());
             CuratorFramework fresh = startedClient(server.getConnectString());
             ZooKeeperCoordination earlierSession = new ZooKeeperCoordination(old, "p1", "host-a", CLOCK, (s, m) -> {}, 200);
             ZooKeeperCoordination sameDaemon = new ZooKeeperCoordination(fresh, "p1", "host-a", CLOCK, (s, m) -> {}, 200)) {
            earlierSession.start();
            sameDaemon.start();
            earlierSession.publishHost(RECORD.withState(HostState.ACTIVE));
            sameDaemon.publishHost(RECORD.withState(HostState.ACTIVE)); // same incarnation: replaced, not refused
            long owner = fresh.checkExists().forPath("/vmha/p1/hosts/host-a").getEphemeralOwner();
            assertEquals(fresh.getZookeeperClient().getZooKeeper().getSessionId(), owner);
            old.close(); // the earlier session ends: the node must survive, it is the new session's now
            Thread.sleep(300);
            assertTrue(fresh.checkExists().forPath("/vmha/p1/hosts/host-a") != null);
        }
    }

    @Test
    void refusesAnotherHostsRecord() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework client = startedClient(server.getConnectString());
             ZooKeeperCoordination c = new ZooKeeperCoordination(client, "p1", "host-b", CLOCK, (s, m) -> {}, 200)) {
            c.start();
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> c.publishHost(RECORD));
            assertEquals("host.name", e.field());
        }
    }
}
