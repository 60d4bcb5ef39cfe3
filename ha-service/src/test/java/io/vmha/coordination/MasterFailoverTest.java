package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.CLOCK;
import static io.vmha.coordination.ZkTestSupport.await;
import static io.vmha.coordination.ZkTestSupport.startedClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.port.ConnectionState;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

class MasterFailoverTest {
    @Test
    void exactlyOneMasterAndTheOtherTakesOverWhenTheMasterGoes() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework clientA = startedClient(server.getConnectString());
             CuratorFramework clientB = startedClient(server.getConnectString());
             ZooKeeperCoordination a = new ZooKeeperCoordination(clientA, "p1", "host-a", CLOCK, new ZkTestSupport.RecordingJournal(), 200);
             ZooKeeperCoordination b = new ZooKeeperCoordination(clientB, "p1", "host-b", CLOCK, new ZkTestSupport.RecordingJournal(), 200)) {
            AtomicInteger wakeUps = new AtomicInteger();
            b.onChange(wakeUps::incrementAndGet);
            a.start();
            b.start();
            await("a master", Duration.ofSeconds(10), () -> a.isMaster() || b.isMaster());
            assertTrue(a.isMaster() ^ b.isMaster(), "exactly one master");
            assertEquals(ConnectionState.CONNECTED, a.connection().state());

            ZooKeeperCoordination master = a.isMaster() ? a : b;
            ZooKeeperCoordination other = master == a ? b : a;
            assertEquals(master.hostName(), other.masterId());

            (master == a ? clientA : clientB).close();
            await(other.hostName() + " taking over", Duration.ofSeconds(10), other::isMaster);
            assertFalse(master.isMaster());
            assertEquals(ConnectionState.LOST, master.connection().state(), "a closed client has no session");
            assertEquals(other.hostName(), other.masterId());
            assertTrue(wakeUps.get() > 0, "listeners were woken by cache/connection/mastership changes");
        }
    }

    @Test
    void lifecycleStartTwiceFailsAndCloseIsIdempotent() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework client = startedClient(server.getConnectString())) {
            ZooKeeperCoordination c = new ZooKeeperCoordination(client, "p1", "host-a", CLOCK, (s, m) -> {}, 200);
            c.start();
            assertThrows(IllegalStateException.class, c::start);
            c.close();
            c.close();
            assertFalse(c.isMaster());
            assertThrows(IllegalStateException.class, c::start);
        }
    }
}
