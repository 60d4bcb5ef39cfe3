package io.vmha.coordination;

import io.vmha.core.port.Clock;
import io.vmha.core.port.Connection;
import io.vmha.core.port.ConnectionState;
import io.vmha.core.port.Journal;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Curator's connection states and keeps the last one as a core {@link Connection}. Records
 * each flip in the journal ({@code zookeeper CONNECTED => SUSPENDED (...)}) and then calls
 * {@code onFlip}; it fires only when the state or the session changes. The value read by
 * {@link #current()} may lag the socket by one Curator event: callers must still expect writes to fail.
 * Its {@code lastContactMillis} is always 0: {@link ZooKeeperCoordination#connection()} fills in the lease.
 */
final class ConnectionTracker implements ConnectionStateListener {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionTracker.class);

    private final CuratorFramework client;
    private final Clock clock;
    private final Journal journal;
    private final String host;
    private final Runnable onFlip;
    private final Connection initial;
    private final AtomicReference<Connection> current;

    ConnectionTracker(CuratorFramework client, Clock clock, Journal journal, String host, Runnable onFlip) {
        this.client = client;
        this.clock = clock;
        this.journal = journal;
        this.host = host;
        this.onFlip = onFlip;
        // Before the first CONNECTED we hold nothing, so "freeze" (SUSPENDED) describes it; LOST would
        // tell the daemon that something it held is gone.
        this.initial = new Connection(ConnectionState.SUSPENDED, clock.monotonicMillis(), 0, 0);
        this.current = new AtomicReference<>(initial);
    }

    void start() {
        client.getConnectionStateListenable().addListener(this);
        // Curator only reports changes: if the client connected before we listened, nothing will come.
        // compareAndSet so that an event delivered meanwhile wins over this late look.
        if (client.getZookeeperClient().isConnected()) {
            Connection now = new Connection(ConnectionState.CONNECTED, clock.monotonicMillis(), sessionId(), 0);
            if (current.compareAndSet(initial, now)) flipped(initial, now, "already connected at start");
        }
    }

    void close() { client.getConnectionStateListenable().removeListener(this); }

    Connection current() {
        Connection now = current.get();
        // Closing the client reports no further state change, yet its session is gone: say LOST. The
        // listeners are not called from here (we may be on any caller's thread, even inside a listener).
        if (now.state() != ConnectionState.LOST && client.getState() == CuratorFrameworkState.STOPPED) {
            Connection lost = new Connection(ConnectionState.LOST, clock.monotonicMillis(), 0, 0);
            if (current.compareAndSet(now, lost)) record(now, lost, "client closed");
            return current.get();
        }
        return now;
    }

    /** The live session id of the client's ZooKeeper handle, 0 if there is none yet. */
    long sessionId() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    @Override
    public void stateChanged(CuratorFramework ignored, org.apache.curator.framework.state.ConnectionState state) {
        Connection previous = current.get();
        long now = clock.monotonicMillis();
        Connection next = switch (state) {
            case CONNECTED, RECONNECTED -> new Connection(ConnectionState.CONNECTED, now, sessionId(), 0);
            // The session may still be alive: keep its id so the daemon can tell a resume from a new session.
            case SUSPENDED -> new Connection(ConnectionState.SUSPENDED, now, previous.sessionId(), 0);
            // Read-only mode is never enabled by vmha; if it ever happens no write can succeed: freeze.
            case READ_ONLY -> new Connection(ConnectionState.SUSPENDED, now, previous.sessionId(), 0);
            // Curator says LOST when the session expired or the session timeout passed while suspended.
            case LOST -> new Connection(ConnectionState.LOST, now, 0, 0);
        };
        if (next.state() == previous.state() && next.sessionId() == previous.sessionId()) return;
        current.set(next);
        flipped(previous, next, "curator " + state);
    }

    private void flipped(Connection from, Connection to, String why) {
        record(from, to, why);
        onFlip.run();
    }

    private void record(Connection from, Connection to, String why) {
        String line = "zookeeper " + from.state() + " => " + to.state() + " (" + why + ", session 0x"
                + Long.toHexString(to.sessionId()) + ")";
        LOG.info("{}: {}", host, line);
        journal.record(host, line);
    }
}
