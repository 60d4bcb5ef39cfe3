package io.vmha.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The owner record's two ways out of MIGRATING: abort keeps owner and epoch, commit moves both. */
class OwnershipMigrationTest {
    private static final MigrationPlan PLAN = new MigrationPlan("m1", "h2", "0123456789abcdef0123", 0, 0, "test");
    private static final Ownership RUNNING = new Ownership("vm1", "h1", VmState.RUNNING, 4, List.of(), "i-1", "running");

    @Test
    void abortKeepsOwnerEpochAndInstance() {
        Ownership aborted = RUNNING.migrating(PLAN).migrationAborted("target lost");
        assertEquals(VmState.RUNNING, aborted.state());
        assertEquals("h1", aborted.host());
        assertEquals(4, aborted.epoch());
        assertEquals("i-1", aborted.instance());
        assertNull(aborted.migration());
        assertTrue(aborted.reason().startsWith("migration m1 to h2 aborted: target lost"), aborted.reason());
    }

    @Test
    void commitMovesOwnerAndBumpsTheEpochKeepingThePlanUntilRunning() {
        Ownership committed = RUNNING.migrating(PLAN).migrationCommitted("both ends done");
        assertEquals(VmState.STARTING, committed.state());
        assertEquals("h2", committed.host());
        assertEquals(5, committed.epoch());
        assertTrue(committed.commits("m1"));
        Ownership running = committed.running("i-2", "running as i-2");
        assertEquals("m1", running.migration().id(), "kept so a waiting CLI sees which move landed");
        assertNull(running.withState(VmState.STOPPING, "stop").migration());
    }

    @Test
    void onlyARunningVmMigratesAndNeverToItsOwnHost() {
        Ownership starting = new Ownership("vm1", "h1", VmState.STARTING, 4, List.of(), "", "start");
        assertThrows(IllegalStateException.class, () -> starting.migrating(PLAN));
        MigrationPlan toSelf = new MigrationPlan("m2", "h1", "0123456789abcdef0123", 0, 0, "");
        assertThrows(IllegalStateException.class, () -> RUNNING.migrating(toSelf));
        assertThrows(IllegalStateException.class, () -> RUNNING.migrationCommitted("x"));
        assertThrows(IllegalStateException.class, () -> RUNNING.migrationAborted("x"));
    }

    @Test
    void aMigratingVmHoldsRoomOnBothEnds() {
        VmSpec spec = VmSpec.sim("vm1", 1024);
        PoolView view = PoolView.of(java.util.Map.of(
                        "h1", new HostRecord("h1", new HostCapacity(2048, 4), 1, HostState.ACTIVE),
                        "h2", new HostRecord("h2", new HostCapacity(2048, 4), 1, HostState.ACTIVE)),
                java.util.Map.of("vm1", spec), java.util.Map.of("vm1", new Versioned<>(RUNNING.migrating(PLAN), 3)));
        Placement p = Placement.of(view);
        assertEquals(1024, p.free().get("h1").memoryMib());
        assertEquals(1024, p.free().get("h2").memoryMib());
    }
}
