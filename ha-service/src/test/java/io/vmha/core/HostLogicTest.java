package io.vmha.core;

import io.vmha.core.port.Connection;
import io.vmha.core.port.ConnectionState;
import io.vmha.core.port.LocalVm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostLogicTest {
    private static final long NOW = 100_000;
    private final HostLogic logic = new HostLogic(Timings.defaults()); // lease 5000 ms
    private final HostRecord self = new HostRecord("h1", new HostCapacity(8192, 8), 1, HostState.ACTIVE);
    private final TreeMap<String, LocalVm> local = new TreeMap<>();

    private HostLogic.Plan plan(HostState state, Connection c, PoolView view) {
        return logic.plan(new HostLogic.Input(self.withState(HostState.JOINING), state, c, NOW, NOW, view, local));
    }

    private static Connection connected(long lastContact) {
        return new Connection(ConnectionState.CONNECTED, 0, 7, lastContact);
    }

    private PoolView joined(Pools p) { return p.host("h1", 8192, 8).view(); }

    @Test
    void leaseExpiryFencesAndStopsEverything() {
        local.put("v1", new LocalVm("v1", 1, "i1", true, ""));
        local.put("v2", new LocalVm("v2", 1, "i2", false, "exit 0"));
        HostLogic.Plan p = plan(HostState.ACTIVE, connected(NOW - 5000), PoolView.empty());
        assertEquals(HostState.FENCED, p.next());
        assertEquals(List.of(new HostAction.Stop("v1", "self-fence: " + p.reason()), new HostAction.Acknowledge("v2")), p.actions());
    }

    @Test
    void sessionLostFencesEvenWithARecentContact() {
        local.put("v1", new LocalVm("v1", 1, "i1", true, ""));
        HostLogic.Plan p = plan(HostState.ACTIVE, new Connection(ConnectionState.LOST, NOW, 8, NOW), PoolView.empty());
        assertEquals(HostState.FENCED, p.next());
        assertInstanceOf(HostAction.Stop.class, p.actions().get(0));
    }

    @Test
    void suspendedWithinTheLeaseFreezesAndTouchesNothing() {
        local.put("v1", new LocalVm("v1", 1, "i1", true, ""));
        HostLogic.Plan p = plan(HostState.ACTIVE, new Connection(ConnectionState.SUSPENDED, NOW - 100, 7, NOW - 4999),
                PoolView.empty());
        assertEquals(HostState.FROZEN, p.next());
        assertEquals(List.of(), p.actions());
    }

    @Test
    void anInstanceOfAnOlderEpochIsStoppedAndTheNewOneNotStartedYet() {
        local.put("v1", new LocalVm("v1", 1, "i1", true, ""));
        PoolView view = joined(new Pools().vm("v1", 1024).owner("v1", "h1", VmState.STARTING, 2));
        HostLogic.Plan p = plan(HostState.ACTIVE, connected(NOW), view);
        assertEquals(HostState.ACTIVE, p.next());
        assertEquals(1, p.actions().size(), p.actions().toString());
        HostAction.Stop stop = assertInstanceOf(HostAction.Stop.class, p.actions().get(0));
        assertTrue(stop.why().contains("this instance holds epoch 1"), stop.why());
    }

    @Test
    void anActiveHostStartsWhatItOwnsUnderTheRecordedEpoch() {
        PoolView view = joined(new Pools().vm("v1", 1024).owner("v1", "h1", VmState.STARTING, 4));
        HostLogic.Plan p = plan(HostState.ACTIVE, connected(NOW), view);
        HostAction.Start start = assertInstanceOf(HostAction.Start.class, p.actions().get(0));
        assertEquals(4, start.epoch());
    }

    @Test
    void aFencedHostRejoinsThroughJoiningNotStraightToActive() {
        // Regression: with its record still published, FENCED was planned straight to ACTIVE, an illegal change.
        HostLogic.Plan p = plan(HostState.FENCED, connected(NOW), joined(new Pools()));
        assertEquals(HostState.JOINING, p.next());
        assertTrue(HostState.TRANSITIONS.get(HostState.FENCED).contains(p.next()));
    }

    @Test
    void aStartingDaemonDoesNotStopVmsAgainstAViewThatPredatesItsJoin() {
        // Regression: against the empty cache of a fresh daemon every VM looked unowned and was stopped.
        local.put("v1", new LocalVm("v1", 1, "i1", true, ""));
        HostLogic.Plan p = plan(HostState.JOINING, connected(NOW), PoolView.empty());
        assertEquals(HostState.JOINING, p.next());
        assertEquals(List.of(new HostAction.Publish(self.withState(HostState.JOINING))), p.actions());
    }

    @Test
    void onceTheViewShowsTheJoinAnUnownedInstanceIsStopped() {
        local.put("v1", new LocalVm("v1", 1, "i1", true, ""));
        PoolView view = new Pools().host("h1", 8192, 8, HostState.JOINING).view();
        HostLogic.Plan p = plan(HostState.JOINING, connected(NOW), view);
        assertEquals(HostState.JOINING, p.next());
        assertTrue(p.actions().contains(new HostAction.Stop("v1", "no ownership record")), p.actions().toString());
    }
}
