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

    /** A node's data and version. */
    record Read(byte[] data, int version) {}

    /**
     * Read after a sync: ZooKeeper answers one client's requests in order, so this getData runs after the
     * server caught up with the leader, and sees every write acknowledged before the call.
     */
    java.util.Optional<Read> readSynced(String path) throws Exception {
        ZooKeeper zk = zooKeeper();
        zk.sync(raw(path), (rc, p, ctx) -> { }, null);
        try {
            org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
            byte[] data = zk.getData(raw(path), false, stat);
            return java.util.Optional.of(new Read(data, stat.getVersion()));
        } catch (KeeperException.NoNodeException gone) {
            return java.util.Optional.empty();
        }
    }

    private ZooKeeper zooKeeper() throws Exception { return client.getZookeeperClient().getZooKeeper(); }

    /** Raw ZooKeeper calls bypass Curator's namespace: apply it ourselves. */
    private String raw(String path) { return ZKPaths.fixForNamespace(client.getNamespace(), path); }
}
