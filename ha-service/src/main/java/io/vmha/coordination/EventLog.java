package io.vmha.coordination;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's bounded audit log under {@code events/}. Appends are persistent sequential nodes, so the
 * order is ZooKeeper's, not any host's clock. Whoever writes an event whose sequence number is a
 * multiple of {@link #TRIM_EVERY} trims the log to the newest {@link #KEEP}: one host per 100 events
 * does the work, with no coordination needed.
 */
public final class EventLog {
    public static final int KEEP = 1000;
    public static final int TRIM_EVERY = 100;
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);

    private final CuratorFramework client;
    private final PoolPaths paths;

    public EventLog(CuratorFramework client, PoolPaths paths) {
        this.client = client;
        this.paths = paths;
    }

    /** Append one event; returns its sequence number. Trims the log when this event's number says so. */
    public long append(long wallMillis, String source, String message) throws Exception {
        byte[] body = Json.encode(new PoolEvent.Body(wallMillis, source, message));
        String created = client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(paths.eventPrefix(), body);
        long sequence = PoolPaths.eventSequence(PoolPaths.nodeName(created));
        if (sequence > 0 && sequence % TRIM_EVERY == 0) trim(KEEP);
        return sequence;
    }

    /** Delete all but the newest {@code keep} events. Deletes run in the background: the caller never waits. */
    public int trim(int keep) throws Exception {
        List<String> names = sortedNames();
        int excess = names.size() - keep;
        for (int i = 0; i < excess; i++) {
            // Another host may trim the same nodes concurrently: a NoNode result is fine and ignored.
            client.delete().inBackground().forPath(paths.events() + "/" + names.get(i));
        }
        return Math.max(excess, 0);
    }

    /** Events written at or after {@code sinceWallMillis} (writer's clock), in sequence order; corrupt ones skipped. */
    public List<PoolEvent> read(long sinceWallMillis) throws Exception {
        List<PoolEvent> events = new ArrayList<>();
        for (String name : sortedNames()) {
            String path = paths.events() + "/" + name;
            try {
                PoolEvent event = Json.decodeEvent(path, client.getData().forPath(path));
                if (event.wallMillis() >= sinceWallMillis) events.add(event);
            } catch (KeeperException.NoNodeException trimmedMeanwhile) {
                // trimmed between the listing and the read
            } catch (CorruptNodeException e) {
                LOG.warn("{} (skipped)", e.getMessage());
            }
        }
        return events;
    }

    private List<String> sortedNames() throws Exception {
        List<String> names;
        try {
            names = new ArrayList<>(client.getChildren().forPath(paths.events()));
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        names.removeIf(n -> PoolPaths.eventSequence(n) < 0);
        names.sort(Comparator.comparingLong(PoolPaths::eventSequence));
        return names;
    }
}
