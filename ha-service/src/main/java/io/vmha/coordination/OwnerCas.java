package io.vmha.coordination;

import io.vmha.core.Versioned;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Compare-and-set and compare-and-delete of {@code owners/<vm>} on the raw ZooKeeper handle, without
 * Curator's retries: a retried conditional write whose first attempt did land would come back as a
 * conflict (BadVersion / NodeExists) for our own write. Without retries a lost reply surfaces as a
 * ConnectionLoss exception, which the caller reports as "outcome unknown: re-read".
 */
final class OwnerCas {
    private final CuratorFramework client;
    private final PoolPaths paths;

    OwnerCas(CuratorFramework client, PoolPaths paths) {
        this.client = client;
        this.paths = paths;
    }

    /** True if written; false on a version conflict (or, for a create, if the node already exists). */
    boolean write(String path, byte[] data, int expectedVersion) throws Exception {
        try {
            if (expectedVersion == Versioned.ABSENT) return create(path, data);
            zooKeeper().setData(raw(path), data, expectedVersion);
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException conflict) {
            return false;
        }
    }

    /** True if deleted; false if the version moved on or the node is gone. */
    boolean delete(String path, int expectedVersion) throws Exception {
        try {
            zooKeeper().delete(raw(path), expectedVersion);
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException conflict) {
            return false;
        }
    }

    private boolean create(String path, byte[] data) throws Exception {
        for (int round = 0; ; round++) {
            try {
                zooKeeper().create(raw(path), data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                return true;
            } catch (KeeperException.NodeExistsException conflict) {
                return false;
            } catch (KeeperException.NoNodeException noParent) {
                if (round > 0) throw noParent;
                // owners/ was deleted by hand: recreate it (idempotent, so Curator may retry it) and try once more.
                try {
                    client.create().creatingParentsIfNeeded().forPath(paths.owners());
                } catch (KeeperException.NodeExistsException createdMeanwhile) {
                    // fine
                }
            }
        }
    }

    private ZooKeeper zooKeeper() throws Exception { return client.getZookeeperClient().getZooKeeper(); }

    /** Raw ZooKeeper calls bypass Curator's namespace: apply it ourselves. */
    private String raw(String path) { return ZKPaths.fixForNamespace(client.getNamespace(), path); }
}
