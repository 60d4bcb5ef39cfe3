package io.vmha.coordination;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each live host's management endpoints are: {@code endpoints/<host>}, an ephemeral node holding
 * {@code {"jolokia": URL, "prometheus": URL}} ("" for one that is off). Kept apart from the membership record
 * so the HA logic never depends on it; Curator's PersistentNode re-creates it after a new session.
 */
public final class EndpointRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One host's endpoints. */
    public record Endpoints(String jolokia, String prometheus) {
        public Endpoints {
            jolokia = jolokia == null ? "" : jolokia;
            prometheus = prometheus == null ? "" : prometheus;
        }
    }

    private PersistentNode node;

    /** The znode under the pool's base for {@code host}'s endpoints. */
    public static String path(String pool, String host) {
        return new PoolPaths(pool).base() + "/endpoints/" + io.vmha.core.Names.check("host.name", host);
    }

    /** Publish (and keep publishing across sessions) this host's endpoints. */
    public void publish(CuratorFramework client, String pool, String host, Endpoints endpoints) throws Exception {
        node = new PersistentNode(client, CreateMode.EPHEMERAL, false, path(pool, host), JSON.writeValueAsBytes(endpoints));
        node.start();
    }

    /** Every live host's endpoints, by host name; unreadable entries are skipped. */
    public static SortedMap<String, Endpoints> read(CuratorFramework client, String pool) throws Exception {
        String parent = new PoolPaths(pool).base() + "/endpoints";
        SortedMap<String, Endpoints> out = new TreeMap<>();
        java.util.List<String> children;
        try {
            children = client.getChildren().forPath(parent);
        } catch (KeeperException.NoNodeException none) {
            return out;
        }
        for (String host : children) {
            try {
                Map<?, ?> m = JSON.readValue(client.getData().forPath(parent + "/" + host), Map.class);
                out.put(host, new Endpoints((String) m.get("jolokia"), (String) m.get("prometheus")));
            } catch (KeeperException.NoNodeException gone) {
                // left between the listing and the read
            } catch (Exception e) {
                LOG.warn("{}/{}: unreadable endpoints ({}); skipped", parent, host, e.toString());
            }
        }
        return out;
    }

    @Override public void close() {
        if (node == null) return;
        try {
            node.close();
        } catch (java.io.IOException e) {
            LOG.warn("closing the endpoints node: {}", e.toString());
        }
        node = null;
    }
}
