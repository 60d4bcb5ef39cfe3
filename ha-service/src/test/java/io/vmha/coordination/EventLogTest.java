package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.await;
import static io.vmha.coordination.ZkTestSupport.startedClient;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

class EventLogTest {
    @Test
    void trimKeepsTheNewestEvents() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework client = startedClient(server.getConnectString())) {
            PoolPaths paths = new PoolPaths("p1");
            EventLog log = new EventLog(client, paths);
            for (int i = 0; i < 30; i++) log.append(1000 + i, "h1", "event " + i);
            assertEquals(20, log.trim(10));
            await("background deletes", Duration.ofSeconds(5), () -> children(client, paths) == 10);
            List<PoolEvent> kept = log.read(0);
            assertEquals("event 20", kept.get(0).message());
            assertEquals("event 29", kept.get(9).message());
            assertEquals(List.of("event 28", "event 29"), log.read(1028).stream().map(PoolEvent::message).toList());
        }
    }

    @Test
    void everyHundredthAppendBoundsTheLog() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework client = startedClient(server.getConnectString())) {
            PoolPaths paths = new PoolPaths("p1");
            EventLog log = new EventLog(client, paths);
            // Sequence numbers start at 0: the append numbered 1100 (the 1101st) trims down to 1000.
            for (int i = 0; i <= EventLog.KEEP + EventLog.TRIM_EVERY; i++) log.append(i, "h1", "e" + i);
            await("trimmed to " + EventLog.KEEP, Duration.ofSeconds(10), () -> children(client, paths) == EventLog.KEEP);
        }
    }

    private static int children(CuratorFramework client, PoolPaths paths) {
        try {
            return client.getChildren().forPath(paths.events()).size();
        } catch (Exception e) {
            return -1;
        }
    }
}
