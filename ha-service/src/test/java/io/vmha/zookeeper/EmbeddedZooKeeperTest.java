package io.vmha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.coordination.Curators;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedZooKeeperTest {
    @Test
    void startsServesAClientAndClosesTwice(@TempDir Path dir) throws Exception {
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, 0);
        zk.start();
        assertTrue(zk.port() > 0);
        assertThrows(IllegalStateException.class, zk::start);
        try (CuratorFramework client = Curators.newClient(zk.connectString(), 5000, 3000)) {
            client.start();
            byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
            client.create().creatingParentsIfNeeded().forPath("/vmha/demo", data);
            assertArrayEquals(data, client.getData().forPath("/vmha/demo"));
        }
        zk.close();
        zk.close();
        assertThrows(IllegalStateException.class, zk::connectString);
    }
}
