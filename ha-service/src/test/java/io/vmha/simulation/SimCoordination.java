package io.vmha.simulation;

import io.vmha.core.HostRecord;
import io.vmha.core.Ownership;
import io.vmha.core.PoolView;
import io.vmha.core.Timings;
import io.vmha.core.Versioned;
import io.vmha.core.port.Connection;
import io.vmha.core.port.ConnectionState;
import io.vmha.core.port.Coordination;
import io.vmha.core.port.CoordinationException;

import java.util.Optional;

/**
 * One daemon incarnation's ZooKeeper client, as Curator presents it to the core.
 * <ul>
 * <li>A lease probe every {@link Timings#leaseProbeMillis()}; a round trip (probe or operation) reaches
 *     the server only when the host is not partitioned (nor paused) and the coordinator is up, and then
 *     the server hears the session at that same instant: {@code lastContactMillis} is that instant.</li>
 * <li>CONNECTED while round trips succeed; SUSPENDED once 2/3 of the session timeout passed without one
 *     (the ZooKeeper client's read timeout); LOST when the host reaches the server again and finds its
 *     session expired — a new session is opened at once, and the next round trip reports CONNECTED.</li>
 * <li>{@link #view()} is a cache that lags the server by the propagation delay and is not updated while
 *     unreachable; {@link #readOwner} is fresh; both it and every write fail when unreachable.</li>
 * </ul>
 */
final class SimCoordination implements Coordination {
    private final SimHost host;
    private final SimCoordinator server;
    private final Scheduler scheduler;
    private final SimLog log;
    private final Timings timings;
    private final long propagationDelayMillis;
    private final long incarnation;
    private long sessionId;
    private ConnectionState state = ConnectionState.SUSPENDED;
    private long since;
    /** No contact yet: a fresh daemon holds no lease, so it fences whatever it finds until it is connected. */
    private long lastContact;
    private PoolView cache = PoolView.empty();
    private long cachedLeader;
    private boolean deliveryPending;
    private boolean missedDelivery;

    SimCoordination(SimHost host, SimCoordinator server, Scheduler scheduler, SimLog log, Timings timings,
                    long propagationDelayMillis, long incarnation) {
        this.host = host;
        this.server = server;
        this.scheduler = scheduler;
        this.log = log;
        this.timings = timings;
        this.propagationDelayMillis = propagationDelayMillis;
        this.incarnation = incarnation;
        this.since = scheduler.now();
        this.lastContact = scheduler.now() - timings.sessionTimeoutMillis();
        server.attach(this);
    }

    /** The daemon died: its client stops; the session, if any, is left for the server to expire. */
    void close() { server.detach(this); }

    long sessionId() { return sessionId; }

    private boolean reachable() { return server.up() && !host.partitioned() && !host.paused(); }

    private long readTimeoutMillis() { return timings.sessionTimeoutMillis() * 2 / 3; }

    /** One round trip: true when it reached the server under a live session. */
    boolean roundTrip() {
        if (!reachable()) {
            refresh();
            return false;
        }
        if (sessionId == 0 || !server.alive(sessionId)) {
            boolean expired = sessionId != 0;
            sessionId = server.openSession(host.name());
            lastContact = scheduler.now();
            missedDelivery = true;
            if (expired) {
                moveTo(ConnectionState.LOST, "session expired");
                scheduleDelivery();
                return false;
            }
        }
        server.heard(sessionId);
        lastContact = scheduler.now();
        moveTo(ConnectionState.CONNECTED, "round trip succeeded");
        if (missedDelivery) {
            missedDelivery = false;
            scheduleDelivery();
        }
        return true;
    }

    private void refresh() {
        if (state == ConnectionState.CONNECTED && scheduler.now() - lastContact >= readTimeoutMillis()) {
            moveTo(ConnectionState.SUSPENDED, "no round trip for " + (scheduler.now() - lastContact) + " ms");
        }
    }

    private void moveTo(ConnectionState next, String why) {
        if (next == state) return;
        if (sessionId != 0 || next != ConnectionState.SUSPENDED) {
            log.record(host.name(), "zookeeper connection " + state + " => " + next + " (" + why + ")");
        }
        state = next;
        since = scheduler.now();
        host.wake(incarnation);
    }

    private void require(String what) throws CoordinationException {
        if (!roundTrip()) {
            throw new CoordinationException(what + ": coordinator not reachable from " + host.name()
                    + " (connection " + state + ")");
        }
    }

    // ---- view propagation ------------------------------------------------------------------------

    void scheduleDelivery() {
        if (deliveryPending) return;
        deliveryPending = true;
        scheduler.after(propagationDelayMillis, host.name() + " view delivery", this::deliver);
    }

    private void deliver() {
        deliveryPending = false;
        if (!reachable()) {
            missedDelivery = true;
            return;
        }
        PoolView next = server.snapshot();
        long nextLeader = server.leader();
        if (!next.equals(cache) || nextLeader != cachedLeader) {
            cache = next;
            cachedLeader = nextLeader;
            host.wake(incarnation);
        }
    }

    // ---- the port --------------------------------------------------------------------------------

    @Override
    public Connection connection() {
        refresh();
        return new Connection(state, since, sessionId, lastContact);
    }

    @Override
    public PoolView view() { return cache; }

    @Override
    public boolean isMaster() {
        refresh();
        return state == ConnectionState.CONNECTED && sessionId != 0 && cachedLeader == sessionId;
    }

    @Override
    public void yieldMastership() {
        if (isMaster()) server.yieldLeadership(sessionId);
    }

    @Override
    public Optional<Versioned<Ownership>> readOwner(String vm) throws CoordinationException {
        require("read owners/" + vm);
        return server.owner(vm);
    }

    @Override
    public void publishHost(HostRecord record) throws CoordinationException {
        require("publish hosts/" + record.name());
        server.putHost(record, sessionId);
    }

    @Override
    public boolean writeOwner(Ownership next, int expectedVersion) throws CoordinationException {
        require("write owners/" + next.vm());
        return server.casOwner(next, expectedVersion);
    }

    @Override
    public boolean deleteOwner(String vm, int expectedVersion) throws CoordinationException {
        require("delete owners/" + vm);
        return server.casDeleteOwner(vm, expectedVersion);
    }

    @Override
    public boolean deleteRequest(String vm, int expectedVersion) throws CoordinationException {
        require("delete migrations/" + vm);
        return server.casDeleteRequest(vm, expectedVersion);
    }

    @Override
    public void event(String source, String message) {
        if (reachable() && sessionId != 0 && server.alive(sessionId)) server.audit(source, message);
    }
}
