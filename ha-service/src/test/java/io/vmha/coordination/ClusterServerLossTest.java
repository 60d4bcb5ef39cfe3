package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.CLOCK;
import static io.vmha.coordination.ZkTestSupport.await;
import static io.vmha.coordination.ZkTestSupport.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.Ownership;
import io.vmha.core.Versioned;
import io.vmha.core.VmState;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;

class ClusterServerLossTest {
    @Test
    void losingTheConnectedServerOfThreeKeepsCoordinationWorking() throws Exception {
        try (TestingCluster cluster = new TestingCluster(3)) {
            cluster.start();
            // Long enough a session to ride over the move to another server without expiring.
            try (CuratorFramework client = Curators.newClient(cluster.getConnectString(), 10_000, 3_000);
                 ZooKeeperCoordination c = new ZooKeeperCoordination(startedOrSame(client), "p1", "host-a", CLOCK, (s, m) -> {}, 200)) {
                c.start();
                await("connected", Duration.ofSeconds(15), () -> c.connection().connected());
                long session = c.connection().sessionId();
                assertTrue(c.writeOwner(Ownership.first("vm1", "host-a", "placed"), Versioned.ABSENT));

                InstanceSpec connectedTo = cluster.findConnectionInstance(client.getZookeeperClient().getZooKeeper());
                assertTrue(cluster.killServer(connectedTo), "killed " + connectedTo);

                // The write may fail while the client moves to another server; then it works again.
                Ownership running = Ownership.first("vm1", "host-a", "placed").running("i-1", "started");
                eventually("writeOwner after losing a server", Duration.ofSeconds(20), () -> {
                    if (!c.connection().connected()) throw new IllegalStateException("not connected: " + c.connection());
                    Versioned<Ownership> seen = c.view().owners().get("vm1");
                    if (seen.value().state() == VmState.RUNNING) return true; // an earlier attempt landed
                    if (!c.writeOwner(running, seen.version())) throw new IllegalStateException("conflict, view lagging");
                    return true;
                });
                assertEquals(session, c.connection().sessionId(), "same session: it did not expire");

                // The surviving two servers still have the data.
                String survivors = cluster.getInstances().stream().filter(i -> !i.equals(connectedTo))
                        .map(InstanceSpec::getConnectString).reduce((x, y) -> x + "," + y).orElseThrow();
                try (CuratorFramework reader = ZkTestSupport.startedClient(survivors)) {
                    byte[] data = eventually("reading from the survivors", Duration.ofSeconds(15),
                            () -> reader.getData().forPath(c.paths().owner("vm1")));
                    Ownership stored = Json.decode("owners/vm1", data, Ownership.class);
                    assertEquals(VmState.RUNNING, stored.state());
                    assertEquals("i-1", stored.instance());
                }
            }
        }
    }

    private static CuratorFramework startedOrSame(CuratorFramework client) {
        client.start();
        return client;
    }
}
