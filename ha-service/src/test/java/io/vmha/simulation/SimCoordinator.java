package io.vmha.simulation;

import io.vmha.core.HostRecord;
import io.vmha.core.Ownership;
import io.vmha.core.PoolView;
import io.vmha.core.Versioned;
import io.vmha.core.VmSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The ZooKeeper ensemble, in memory, as far as safety depends on it: versioned znodes for {@code vms/}
 * and {@code owners/}, ephemeral {@code hosts/} nodes owned by sessions, sessions expired by the server
 * (on its tick) once it has not heard the client for the session timeout, a LeaderLatch-like election
 * (the first live session in join order leads) and the bounded {@code events} audit log.
 * Clients ({@link SimCoordination}) are told of every change and see it after a propagation delay.
 */
final class SimCoordinator {
    static final long TICK_MILLIS = 200;
    private static final int AUDIT_LIMIT = 1000;

    /** One client session; ids grow, so id order is join order. */
    static final class Session {
        final long id;
        final String host;
        long lastHeard;
        boolean alive = true;

        Session(long id, String host, long lastHeard) {
            this.id = id;
            this.host = host;
            this.lastHeard = lastHeard;
        }
    }

    private record HostNode(HostRecord record, long sessionId) {}

    private final Scheduler scheduler;
    private final SimLog log;
    private final long sessionTimeoutMillis;
    private final SortedMap<Long, Session> sessions = new TreeMap<>();
    private final SortedMap<String, VmSpec> vms = new TreeMap<>();
    private final SortedMap<String, Versioned<Ownership>> owners = new TreeMap<>();
    private final SortedMap<String, Versioned<io.vmha.core.MigrationRequest>> requests = new TreeMap<>();
    private final SortedMap<String, HostNode> hosts = new TreeMap<>();
    private final Deque<String> audit = new ArrayDeque<>();
    private final List<SimCoordination> clients = new ArrayList<>();
    private long nextSessionId = 1;
    private long leader;
    /** Sessions that yielded, in order: they come after every session that did not. */
    private final List<Long> behind = new ArrayList<>();
    private boolean up = true;

    SimCoordinator(Scheduler scheduler, SimLog log, long sessionTimeoutMillis) {
        this.scheduler = scheduler;
        this.log = log;
        this.sessionTimeoutMillis = sessionTimeoutMillis;
        scheduler.at(0, "zookeeper tick", this::tick);
    }

    boolean up() { return up; }

    void down() {
        up = false;
        log.record("zk", "coordinator DOWN (quorum lost): no session is heard or expired");
    }

    /** Quorum back: like a new ZooKeeper leader, it gives every live session a fresh timeout. */
    void restore() {
        up = true;
        for (Session s : sessions.values()) if (s.alive) s.lastHeard = scheduler.now();
        log.record("zk", "coordinator UP: live sessions get a fresh timeout");
        changed();
    }

    void attach(SimCoordination client) { clients.add(client); }

    void detach(SimCoordination client) { clients.remove(client); }

    // ---- sessions and election -------------------------------------------------------------------

    long openSession(String host) {
        Session s = new Session(nextSessionId++, host, scheduler.now());
        sessions.put(s.id, s);
        log.record("zk", "session 0x" + Long.toHexString(s.id) + " opened for " + host);
        elect();
        changed();
        return s.id;
    }

    boolean alive(long sessionId) {
        Session s = sessions.get(sessionId);
        return s != null && s.alive;
    }

    void heard(long sessionId) {
        Session s = sessions.get(sessionId);
        if (s != null && s.alive) s.lastHeard = scheduler.now();
    }

    long leader() { return leader; }

    private void tick() {
        if (up) {
            for (Session s : new ArrayList<>(sessions.values())) {
                if (s.alive && scheduler.now() - s.lastHeard >= sessionTimeoutMillis) expire(s);
            }
        }
        scheduler.after(TICK_MILLIS, "zookeeper tick", this::tick);
    }

    private void expire(Session s) {
        s.alive = false;
        List<String> deleted = new ArrayList<>();
        hosts.entrySet().removeIf(e -> {
            boolean mine = e.getValue().sessionId() == s.id;
            if (mine) deleted.add("hosts/" + e.getKey());
            return mine;
        });
        log.record("zk", "session 0x" + Long.toHexString(s.id) + " of " + s.host + " expired (not heard for "
                + (scheduler.now() - s.lastHeard) + " ms)" + (deleted.isEmpty() ? "" : "; deleted " + deleted));
        elect();
        changed();
    }

    /** Like closing a LeaderLatch and starting a new one: the session stands again behind every other. */
    void yieldLeadership(long sessionId) {
        if (leader != sessionId) return;
        behind.remove(sessionId);
        behind.add(sessionId);
        log.record("zk", "session 0x" + Long.toHexString(sessionId) + " yields leadership");
        elect();
        changed();
    }

    private void elect() {
        long next = 0;
        for (Session s : sessions.values()) {
            if (s.alive && !behind.contains(s.id)) {
                next = s.id;
                break;
            }
        }
        for (int i = 0; next == 0 && i < behind.size(); i++) {
            if (alive(behind.get(i))) next = behind.get(i);
        }
        if (next != leader) {
            leader = next;
            log.record("zk", next == 0 ? "no leader" : "leader latch: " + sessions.get(next).host
                    + " (session 0x" + Long.toHexString(next) + ") leads");
        }
    }

    // ---- data ------------------------------------------------------------------------------------

    PoolView snapshot() {
        SortedMap<String, HostRecord> members = new TreeMap<>();
        hosts.forEach((name, node) -> members.put(name, node.record()));
        return new PoolView(members, vms, owners, requests);
    }

    Optional<Versioned<Ownership>> owner(String vm) { return Optional.ofNullable(owners.get(vm)); }

    SortedMap<String, Versioned<Ownership>> owners() { return owners; }

    SortedMap<String, VmSpec> vms() { return vms; }

    /** The registry changes only through operator commands (add-vm, remove-vm). */
    void defineVm(VmSpec spec) {
        vms.put(spec.name(), spec);
        changed();
    }

    void undefineVm(String name) {
        vms.remove(name);
        changed();
    }

    /** Create or replace {@code hosts/<name>}, now owned by {@code sessionId}. */
    void putHost(HostRecord record, long sessionId) {
        hosts.put(record.name(), new HostNode(record, sessionId));
        changed();
    }

    boolean casOwner(Ownership next, int expectedVersion) {
        Versioned<Ownership> current = owners.get(next.vm());
        int version = current == null ? Versioned.ABSENT : current.version();
        if (version != expectedVersion) return false;
        owners.put(next.vm(), new Versioned<>(next, version + 1));
        changed();
        return true;
    }

    boolean casDeleteOwner(String vm, int expectedVersion) {
        Versioned<Ownership> current = owners.get(vm);
        if (current == null || current.version() != expectedVersion) return false;
        owners.remove(vm);
        changed();
        return true;
    }

    /** An operator's migration request (the CLI's create): refused while one is pending for the VM. */
    boolean putRequest(io.vmha.core.MigrationRequest request) {
        if (requests.containsKey(request.vm())) return false;
        requests.put(request.vm(), new Versioned<>(request, 0));
        changed();
        return true;
    }

    boolean casDeleteRequest(String vm, int expectedVersion) {
        Versioned<io.vmha.core.MigrationRequest> current = requests.get(vm);
        if (current == null || current.version() != expectedVersion) return false;
        requests.remove(vm);
        changed();
        return true;
    }

    void audit(String source, String message) {
        audit.addLast(String.format(java.util.Locale.ROOT, "%.3f %s %s", scheduler.now() / 1000.0, source, message));
        while (audit.size() > AUDIT_LIMIT) audit.removeFirst();
    }

    List<String> auditLog() { return new ArrayList<>(audit); }

    private void changed() {
        for (SimCoordination client : new ArrayList<>(clients)) client.scheduleDelivery();
    }
}
