package io.vmha.core;

import io.vmha.core.port.Connection;
import io.vmha.core.port.ConnectionState;
import io.vmha.core.port.LocalVm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host's decision table of DESIGN.md "Split-brain", row by row, on hand-built disk views. */
class HostLogicDiskTest {
    private static final long NOW = 100_000;
    private final Timings t = Timings.defaults(); // lease 5000, disk fence-after 4000, claim fresh 1500
    private final HostLogic logic = new HostLogic(t);
    private final HostRecord self = new HostRecord("h1", new HostCapacity(8192, 8), 1, HostState.ACTIVE);
    private final TreeMap<String, LocalVm> local = new TreeMap<>();

    HostLogicDiskTest() { local.put("v1", new LocalVm("v1", 3, "i1", true, "")); }

    private HostLogic.Plan plan(HostState state, Connection c, DiskView disk) {
        return planWith(logic, state, c, disk);
    }

    private HostLogic.Plan planWith(HostLogic l, HostState state, Connection c, DiskView disk) {
        return l.plan(new HostLogic.Input(self, state, c, NOW, NOW, new Pools().host("h1", 8192, 8)
                .vm("v1", 1024).owner("v1", "h1", VmState.RUNNING, 3).view(), local, disk));
    }

    private static Connection lost() { return new Connection(ConnectionState.LOST, NOW - 100, 8, NOW - 7000); }

    private static Connection suspended(long lastContact) {
        return new Connection(ConnectionState.SUSPENDED, NOW - 100, 8, lastContact);
    }

    private static Disks mine() { return new Disks().connected("h1"); }

    @Test
    void suspendedWithinTheLeaseFreezesAndTouchesNothing() {
        HostLogic.Plan p = plan(HostState.ACTIVE, suspended(NOW - 4500), mine().connected("h2").read(NOW - 300));
        assertEquals(HostState.FROZEN, p.next());
        assertEquals(List.of(), p.actions());
        assertEquals(NOW + 500, p.runUntil(), "the guard holds the lease deadline");
    }

    @Test
    void lostWhileOthersFreshlyConnectedFencesHard() {
        HostLogic.Plan p = plan(HostState.FROZEN, lost(), mine().connected("h2").read(NOW - 300));
        assertEquals(HostState.FENCED, p.next());
        assertEquals(List.of(new HostAction.Stop("v1", "self-fence: " + p.reason())), p.actions());
        assertTrue(p.reason().contains("other hosts still have ZooKeeper"), p.reason());
        assertEquals(NOW, p.runUntil());
    }

    @Test
    void lostWhileNobodyHasZooKeeperIsACoordinatorOutage() {
        DiskView disk = mine().slot("h2", ConnectionState.SUSPENDED, 6000, FenceState.NONE, false).read(NOW - 300);
        HostLogic.Plan p = plan(HostState.FROZEN, lost(), disk);
        assertEquals(HostState.FROZEN, p.next());
        assertEquals(List.of(), p.actions(), "no VM is stopped in a coordinator outage");
        assertTrue(p.alarms().contains(HostRecord.COORDINATOR_OUTAGE), p.alarms().toString());
        assertEquals(NOW - 300 + t.diskFenceAfterMillis(), p.runUntil(), "held only as long as the disk evidence");
    }

    @Test
    void aConnectedClaimWithoutRecentContactIsNoEvidence() {
        // Regression: a whole-pool outage fenced the first hosts whose lease ran out, on the others' CONNECTED
        // claims written before their own clients noticed (scenario zk-outage-no-fence).
        DiskView disk = mine().slot("h2", ConnectionState.CONNECTED, 2000, FenceState.NONE, false).read(NOW - 300);
        HostLogic.Plan p = plan(HostState.FROZEN, lost(), disk);
        assertEquals(HostState.FROZEN, p.next());
        assertTrue(p.alarms().contains(HostRecord.COORDINATOR_OUTAGE));
        // A host that never saw the outage and finds h2 freshly connected is the isolated one: it fences.
        assertEquals(HostState.FENCED, planWith(new HostLogic(t), HostState.FROZEN, lost(),
                mine().slot("h2", ConnectionState.CONNECTED, 1000, FenceState.NONE, false).read(NOW - 300)).next());
    }

    @Test
    void afterAnOutageTheLastToReconnectGetsAGrace() {
        // This host saw nobody with ZooKeeper (an outage); h2 reconnecting first must not make it fence at once.
        plan(HostState.FROZEN, lost(), mine().slot("h2", ConnectionState.SUSPENDED, 6000, FenceState.NONE, false).read(NOW - 300));
        HostLogic.Plan p = plan(HostState.FROZEN, lost(),
                mine().slot("h2", ConnectionState.CONNECTED, 100, FenceState.NONE, false).read(NOW - 300));
        assertEquals(HostState.FROZEN, p.next());
        assertEquals(List.of(), p.actions());
        assertTrue(p.reason().contains("reconnect"), p.reason());
        assertEquals(NOW - 300 + t.diskFenceAfterMillis(), p.runUntil(), "held only as long as the disk evidence");
    }

    @Test
    void aStaleSlotSayingConnectedIsNoEvidence() {
        DiskView disk = mine().slot("h2", ConnectionState.CONNECTED, 100, FenceState.NONE, true).read(NOW - 300);
        assertEquals(HostState.FROZEN, plan(HostState.FROZEN, lost(), disk).next());
    }

    @Test
    void lostWithTheDiskUnreadableTooIsFullIsolation() {
        HostLogic.Plan p = plan(HostState.FROZEN, lost(), mine().read(NOW - t.diskFenceAfterMillis()));
        assertEquals(HostState.FENCED, p.next());
        assertTrue(p.reason().contains("no fresh heartbeat-disk evidence"), p.reason());
        assertEquals(1, p.actions().size());
    }

    @Test
    void anOwnSlotThatReadsBackTornIsNoEvidence() {
        // Regression (randomized disk seed 17867, scenario torn-own-slot-after-stall): the master saw no advance,
        // declared the slot stale and restarted the VM while this host kept it as in a coordinator outage.
        DiskView disk = new Disks().corrupt("h1", false).read(NOW - 300);
        assertEquals(HostState.FENCED, plan(HostState.FROZEN, lost(), disk).next());
        DiskView absent = new Disks().slot("h2", ConnectionState.LOST, 9000, FenceState.NONE, false).read(NOW - 300);
        assertEquals(HostState.FENCED, plan(HostState.FROZEN, lost(), absent).next());
    }

    @Test
    void aFencedHostStaysFencedInAnOutage() {
        local.clear();
        HostLogic.Plan p = plan(HostState.FENCED, lost(), mine().read(NOW - 300));
        assertEquals(HostState.FENCED, p.next());
        assertFalse(p.alarms().contains(HostRecord.COORDINATOR_OUTAGE));
    }

    @Test
    void aPoisonPillFencesEvenWhenConnectedAndIsAcknowledged() {
        PoisonPill pill = new PoisonPill("h2", "h1", 1, 5);
        HostLogic.Plan p = plan(HostState.ACTIVE, new Connection(ConnectionState.CONNECTED, 0, 8, NOW),
                mine().pill(pill).read(NOW - 300));
        assertEquals(HostState.FENCED, p.next());
        assertEquals(List.of(new HostAction.Stop("v1", "self-fence: poison pill from h2"), new HostAction.AcknowledgePill(pill)),
                p.actions());
        assertEquals(NOW, p.runUntil());
    }

    @Test
    void aDiskStallWithZooKeeperHealthyNeverFencesButRaisesStorageDegraded() {
        HostLogic.Plan p = plan(HostState.ACTIVE, new Connection(ConnectionState.CONNECTED, 0, 8, NOW - 200),
                mine().read(NOW - 60_000));
        assertEquals(HostState.ACTIVE, p.next());
        assertTrue(p.alarms().contains(HostRecord.STORAGE_DEGRADED), p.alarms().toString());
        assertTrue(p.actions().stream().noneMatch(a -> a instanceof HostAction.Stop), p.actions().toString());
        assertEquals(NOW - 200 + t.fenceAfterMillis(), p.runUntil());
    }
}
