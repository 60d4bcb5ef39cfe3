package io.vmha.coordination;

import io.vmha.core.HostRecord;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import io.vmha.core.Ownership;
import io.vmha.core.PoolView;
import io.vmha.core.Versioned;
import io.vmha.core.port.Clock;
import io.vmha.core.port.Connection;
import io.vmha.core.port.Coordination;
import io.vmha.core.port.CoordinationException;
import io.vmha.core.port.Journal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Coordination} on ZooKeeper for one host: membership ({@code hosts/<me>}, ephemeral), mastership
 * (a LeaderLatch on {@code master}), the registry and ownership caches, and the audit log.
 * The CuratorFramework is the caller's: it is started before {@link #start()} and closed after {@link #close()}.
 */
public final class ZooKeeperCoordination implements Coordination, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperCoordination.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final CuratorFramework client;
    private final PoolPaths paths;
    private final String hostName;
    private final Clock clock;
    private final Journal journal;
    private final ConnectionTracker connection;
    private final PoolCaches caches;
    private volatile LeaderLatch latch; // replaced when mastership is yielded
    private final EventLog events;
    private final OwnerCas owners;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.BiConsumer<String, String>> eventListeners = new CopyOnWriteArrayList<>();
    private final LeaseProbe lease;
    /** Writes and synced reads from the daemon loop wait at most this bound (see {@link BoundedCalls}). */
    private final BoundedCalls bounded;
    static final long MIN_CALL_BOUND_MILLIS = 2_000;

    /** @param leaseProbeMillis how often the lease is confirmed ({@link io.vmha.core.Timings#leaseProbeMillis()}) */
    public ZooKeeperCoordination(CuratorFramework client, String pool, String hostName, Clock clock, Journal journal,
                                 long leaseProbeMillis) {
        this.client = client;
        this.paths = new PoolPaths(pool);
        this.hostName = Names.check("host.name", hostName);
        this.clock = clock;
        this.journal = journal;
        this.connection = new ConnectionTracker(client, clock, journal, hostName, this::changed);
        this.caches = new PoolCaches(client, paths, this::corrupt, this::changed);
        this.latch = newLatch();
        this.events = new EventLog(client, paths);
        this.owners = new OwnerCas(client, paths);
        this.bounded = new BoundedCalls(hostName, Math.max(MIN_CALL_BOUND_MILLIS, 2 * leaseProbeMillis));
        this.lease = new LeaseProbe(client, clock, paths.lease(hostName), leaseProbeMillis, hostName, this::changed);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Create the pool's base nodes, then start the caches, the latch and connection tracking. */
    public void start() throws CoordinationException {
        if (state.get() != State.LATENT) throw new IllegalStateException("coordination of " + hostName + " cannot be started: " + state.get());
        // Before the state flips, so that a start that failed here (ZooKeeper unreachable) may be retried.
        for (String path : paths.containers()) {
            try {
                client.create().creatingParentsIfNeeded().forPath(path);
            } catch (KeeperException.NodeExistsException alreadyThere) {
                // the usual case
            } catch (Exception e) {
                throw failure("creating " + path, e);
            }
        }
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("coordination of " + hostName + " cannot be started: " + state.get());
        }
        connection.start();
        lease.start();
        caches.start();
        try {
            latch.start();
        } catch (Exception e) {
            throw failure("starting the master election on " + paths.master(), e);
        }
    }

    /** Leave the election and stop listening; idempotent. Does not delete {@code hosts/<me>}: closing the client does. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) return;
        connection.close();
        lease.close();
        bounded.close();
        caches.close();
        try {
            latch.close();
        } catch (Exception e) {
            LOG.warn("{}: closing the master latch: {}", hostName, e.toString());
        }
        listeners.clear();
    }

    // ---------------------------------------------------------------- reads (never block)

    @Override public Connection connection() {
        Connection c = connection.current();
        return new Connection(c.state(), c.sinceMillis(), c.sessionId(), lease.lastContactMillis());
    }

    @Override public PoolView view() { return caches.view(); }

    /**
     * Also false until the caches have loaded (a master with a partial view would think live hosts dead),
     * and false as soon as the socket drops, before Curator has delivered SUSPENDED to the latch.
     */
    @Override
    public boolean isMaster() {
        return state.get() == State.STARTED && caches.initialized() && latch.hasLeadership()
                && connection().connected() && client.getZookeeperClient().isConnected();
    }

    /**
     * Leave the election and join again at the back: a LeaderLatch cannot rejoin after close, so a fresh
     * one replaces it. NOTIFY_LEADER makes the old one report "mastership lost" before the next master acts.
     */
    @Override
    public synchronized void yieldMastership() {
        if (state.get() != State.STARTED || !latch.hasLeadership()) return;
        LeaderLatch old = latch;
        latch = newLatch();
        try {
            old.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
            latch.start();
            journal.record(hostName, "mastership yielded");
        } catch (Exception e) {
            LOG.warn("{}: yielding mastership: {}", hostName, e.toString());
        }
    }

    private LeaderLatch newLatch() {
        LeaderLatch l = new LeaderLatch(client, paths.master(), hostName);
        l.addListener(new MastershipListener());
        return l;
    }

    /** The current master's host name, or "" if none or unknown. Reads ZooKeeper: for status, not for loops. */
    public String masterId() {
        if (state.get() != State.STARTED) return "";
        try {
            return latch.getLeader().getId();
        } catch (Exception e) {
            return "";
        }
    }

    /**
     * Call {@code listener} after any change of the caches, the connection or the mastership, so that loops
     * wake at once instead of polling. Runs on Curator's event threads with no lock of ours held: keep it
     * short (signal a loop). It may fire without a visible change, and changes may be coalesced.
     */
    public void onChange(Runnable listener) { listeners.add(listener); }

    public String hostName() { return hostName; }

    public PoolPaths paths() { return paths; }

    // ---------------------------------------------------------------- writes

    /**
     * Create {@code hosts/<me>} (ephemeral, our session) or replace its data if our session owns it. If
     * another session still holds it (this host's previous daemon, or our session before it expired),
     * refuse: joining under it would let us vanish when that session finally expires.
     */
    @Override
    public void publishHost(HostRecord record) throws CoordinationException {
        if (!record.name().equals(hostName)) {
            throw new InvalidInputException("host.name", record.name(), "this daemon's host name \"" + hostName + "\"");
        }
        requireConnected("publish host " + hostName);
        bounded.call("publishing " + paths.host(hostName), () -> {
            publishHostNow(record);
            return null;
        });
    }

    private void publishHostNow(HostRecord record) throws CoordinationException {
        String path = paths.host(hostName);
        byte[] data = Json.encode(record);
        // Two rounds: a create or set may race with the old node's deletion (session expiry) or with
        // a Curator retry of our own create; the second look settles it.
        for (int round = 0; round < 3; round++) {
            try {
                Stat stat = client.checkExists().forPath(path);
                if (stat == null) {
                    client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                    return;
                }
                long ours = connection.sessionId();
                if (stat.getEphemeralOwner() == ours && ours != 0) {
                    client.setData().withVersion(stat.getVersion()).forPath(path, data);
                    return;
                }
                if (stat.getEphemeralOwner() != 0 && heldByThisDaemon(path, record)) {
                    // Our own earlier session (Curator opened a new one after a long outage): replace the node at
                    // once rather than vanish when the old session finally expires — a vanished host is fenced.
                    client.delete().withVersion(stat.getVersion()).forPath(path);
                    journal.record(hostName, "replaced membership node of our previous session 0x"
                            + Long.toHexString(stat.getEphemeralOwner()));
                    continue;
                }
                if (stat.getEphemeralOwner() == 0) {
                    throw new CoordinationException("host " + hostName + ": " + path + " is a persistent node, not a"
                            + " membership record; delete it (vmha never creates it persistent)");
                }
                throw new CoordinationException("host " + hostName + ": " + path + " is still held by ZooKeeper session 0x"
                        + Long.toHexString(stat.getEphemeralOwner()) + " (a previous daemon or an earlier session of this"
                        + " host; ours is 0x" + Long.toHexString(ours) + "); waiting for that session to expire before joining");
            } catch (KeeperException.NodeExistsException | KeeperException.NoNodeException
                     | KeeperException.BadVersionException raced) {
                // look again
            } catch (CoordinationException e) {
                throw e;
            } catch (Exception e) {
                throw failure("publishing " + path, e);
            }
        }
        throw new CoordinationException("host " + hostName + ": " + path + " kept changing while publishing; try again");
    }

    /** True if the node at {@code path} carries this daemon's own incarnation (so its session is ours, old). */
    private boolean heldByThisDaemon(String path, HostRecord record) throws Exception {
        try {
            HostRecord held = Json.decode(path, client.getData().forPath(path), HostRecord.class);
            return held.name().equals(record.name()) && held.incarnation() == record.incarnation();
        } catch (CorruptNodeException e) {
            return false;
        }
    }

    /**
     * Compare-and-set {@code owners/<vm>}, without Curator's retries (see {@link OwnerCas}): a lost reply is
     * a {@link CoordinationException} saying the outcome is unknown, never a false conflict.
     */
    @Override
    public boolean writeOwner(Ownership next, int expectedVersion) throws CoordinationException {
        if (expectedVersion < Versioned.ABSENT) {
            throw new InvalidInputException("owner.expected-version", expectedVersion, "-1 (create) or a version read from the view");
        }
        String path = paths.owner(next.vm());
        String what = (expectedVersion == Versioned.ABSENT ? "creating " : "writing ") + path + " (expected version "
                + expectedVersion + ")";
        requireConnected(what);
        byte[] data = Json.encode(next);
        return bounded.call(what, () -> {
            try {
                return owners.write(path, data, expectedVersion);
            } catch (Exception e) {
                throw failure(what, e);
            }
        });
    }

    /** Read {@code owners/<vm>} after a sync, so every write acknowledged before this call is seen. */
    @Override
    public java.util.Optional<Versioned<Ownership>> readOwner(String vm) throws CoordinationException {
        String path = paths.owner(vm);
        requireConnected("read " + path);
        return bounded.call("reading " + path, () -> {
            try {
                java.util.Optional<OwnerCas.Read> read = owners.readSynced(path);
                if (read.isEmpty()) return java.util.Optional.empty();
                return java.util.Optional.of(new Versioned<>(decodeOwner(path, read.get().data()), read.get().version()));
            } catch (CorruptNodeException e) {
                throw new CoordinationException(hostName + ": " + e.getMessage(), e);
            } catch (Exception e) {
                throw failure("reading " + path, e);
            }
        });
    }

    private static Ownership decodeOwner(String path, byte[] data) throws CorruptNodeException {
        return Json.decode(path, data, Ownership.class);
    }

    /** Compare-and-delete {@code owners/<vm>}; ZooKeeper's "any version" (-1) is refused on purpose. */
    @Override
    public boolean deleteOwner(String vm, int expectedVersion) throws CoordinationException {
        if (expectedVersion < 0) {
            throw new InvalidInputException("owner.expected-version", expectedVersion, "the version read from the view (>= 0)");
        }
        String path = paths.owner(vm);
        String what = "deleting " + path + " (expected version " + expectedVersion + ")";
        requireConnected(what);
        return bounded.call(what, () -> {
            try {
                return owners.delete(path, expectedVersion);
            } catch (Exception e) {
                throw failure(what, e);
            }
        });
    }

    /** Compare-and-delete an operator's request {@code migrations/<vm>}. */
    @Override
    public boolean deleteRequest(String vm, int expectedVersion) throws CoordinationException {
        if (expectedVersion < 0) {
            throw new InvalidInputException("request.expected-version", expectedVersion, "the version read from the view (>= 0)");
        }
        String path = paths.migration(vm);
        String what = "deleting " + path + " (expected version " + expectedVersion + ")";
        requireConnected(what);
        return bounded.call(what, () -> {
            try {
                return owners.delete(path, expectedVersion);
            } catch (Exception e) {
                throw failure(what, e);
            }
        });
    }

    /**
     * Also call {@code listener} with every event this host says, stored or not (a fence during an outage is
     * still reported): JMX notifications, metrics. Runs on the caller's thread (the daemon loop): keep it short.
     */
    public void onEvent(java.util.function.BiConsumer<String, String> listener) { eventListeners.add(listener); }

    /** Best effort: while disconnected the event is dropped (and logged); never throws. */
    @Override
    public void event(String source, String message) {
        for (java.util.function.BiConsumer<String, String> l : eventListeners) {
            try {
                l.accept(source, message);
            } catch (RuntimeException e) {
                LOG.warn("{}: event listener failed: {}", hostName, e.toString(), e);
            }
        }
        if (state.get() != State.STARTED || !connection().connected()) {
            LOG.info("event not stored (zookeeper {}): {}: {}", connection().state(), source, message);
            return;
        }
        long wall = clock.wallMillis();
        // Never on the caller's thread: a create may wait for a connection (Curator retries) and the daemon
        // loop must keep stepping and feeding its fence guard meanwhile.
        bounded.background("storing an event", () -> {
            try {
                events.append(wall, source, message);
            } catch (Exception e) {
                LOG.warn("event not stored ({}): {}: {}", e.toString(), source, message);
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    private void requireConnected(String what) throws CoordinationException {
        if (state.get() != State.STARTED) throw new IllegalStateException("coordination of " + hostName + " is " + state.get());
        Connection now = connection();
        if (!now.connected()) {
            throw new CoordinationException("cannot " + what + ": zookeeper connection is " + now.state()
                    + " since monotonic " + now.sinceMillis() + " ms");
        }
    }

    private CoordinationException failure(String what, Exception e) {
        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        String outcome = e instanceof KeeperException.ConnectionLossException
                || e instanceof KeeperException.SessionExpiredException || e instanceof InterruptedException
                ? "; the outcome is unknown, re-read before retrying" : "";
        return new CoordinationException(hostName + ": " + what + " failed: " + e + outcome, e);
    }

    private void corrupt(String problem) {
        LOG.warn("{}: {}", hostName, problem);
        journal.record(hostName, problem);
    }

    /** Wake the listeners; called from Curator threads, never under a lock of ours. */
    private void changed() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: change listener failed: {}", hostName, e.toString(), e);
            }
        }
    }

    /** Journals mastership flips so the audit trail shows who was master when. */
    private final class MastershipListener implements LeaderLatchListener {
        @Override public void isLeader() {
            journal.record(hostName, "mastership acquired");
            changed();
        }

        @Override public void notLeader() {
            journal.record(hostName, "mastership lost");
            changed();
        }
    }
}
