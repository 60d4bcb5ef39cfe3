package io.vmha.core;

import io.vmha.core.port.ConnectionState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The master's decision table for a vanished host (DESIGN.md "Split-brain"), row by row. */
class MasterLogicDiskTest {
    private static final long GONE_AT = 10_000;
    private static final long JUDGE = GONE_AT + 500; // after the grace
    private final List<String> journal = new ArrayList<>();
    private final MasterLogic logic = new MasterLogic("h1", Timings.defaults(), RestartPolicy.defaults(),
            (source, message) -> journal.add(source + " " + message));
    /** h2 owned v1 and vanished from ZooKeeper; h1 is the master. */
    private final PoolView view = new Pools().host("h1", 8192, 8).vm("v1", 1024).owner("v1", "h2", VmState.RUNNING, 5).view();

    private List<MasterAction> judge(DiskView disk) {
        assertEquals(List.of(), logic.plan(view, disk, GONE_AT, 0), "nothing within the grace");
        return logic.plan(view, disk, JUDGE, 0);
    }

    private static Disks h2(FenceState fence, boolean stale) {
        return new Disks().connected("h1").slot("h2", ConnectionState.LOST, 7000, fence, stale);
    }

    private static MasterAction.WriteOwner restart(List<MasterAction> actions) {
        assertEquals(1, actions.size(), actions.toString());
        MasterAction.WriteOwner w = assertInstanceOf(MasterAction.WriteOwner.class, actions.get(0));
        assertEquals("h1", w.next().host());
        assertEquals(6, w.next().epoch());
        return w;
    }

    @Test
    void advancingAndFencedRestartsAtOnce() {
        restart(judge(h2(FenceState.FENCED, false).read(JUDGE - 200)));
    }

    @Test
    void advancingAndFencingWaits() {
        assertEquals(List.of(), judge(h2(FenceState.FENCING, false).read(JUDGE - 200)));
        assertTrue(journal.toString().contains("waiting for FENCED"), journal.toString());
    }

    @Test
    void advancingWithoutFencingGetsAPoisonPillAndWaits() {
        DiskView disk = new Disks().connected("h1").slot("h2", ConnectionState.CONNECTED, 100, FenceState.NONE, false)
                .read(JUDGE - 200);
        List<MasterAction> actions = judge(disk);
        assertEquals(1, actions.size(), actions.toString());
        MasterAction.Poison p = assertInstanceOf(MasterAction.Poison.class, actions.get(0));
        assertEquals(new PoisonPill("h1", "h2", 1, JUDGE), p.pill());
        assertEquals(List.of(), logic.plan(view, disk, JUDGE + 100, 0), "one pill per disk interval, no restart");
        assertEquals(1, logic.plan(view, disk, JUDGE + 1000, 0).size());
        restart(logic.plan(view, h2(FenceState.FENCED, false).read(JUDGE + 1100), JUDGE + 1200, 0));
    }

    @Test
    void staleRestarts() {
        restart(judge(h2(FenceState.NONE, true).read(JUDGE - 200)));
    }

    @Test
    void aTornSlotWithinTheTimeoutWaitsAndDoesNotThrow() {
        // Regression: r.slot() is null for a CORRUPT reading; the master's step threw a NullPointerException.
        assertEquals(List.of(), judge(new Disks().connected("h1").corrupt("h2", false).read(JUDGE - 200)));
        assertTrue(journal.toString().contains("CORRUPT"), journal.toString());
        restart(logic.plan(view, new Disks().connected("h1").corrupt("h2", true).read(JUDGE + 4800), JUDGE + 5000, 0));
    }

    @Test
    void noSlotAtAllWaitsTheDiskTimeout() {
        assertEquals(List.of(), judge(new Disks().connected("h1").read(JUDGE - 200)));
        restart(logic.plan(view, new Disks().connected("h1").read(GONE_AT + 4900), GONE_AT + 5000, 0));
    }

    @Test
    void aMasterThatCannotReadTheDiskDecidesNothingAndYields() {
        List<MasterAction> actions = judge(h2(FenceState.FENCED, false).read(JUDGE - 5000));
        assertEquals(List.of(), actions);
        assertTrue(logic.wantsToYield());
        logic.plan(view, h2(FenceState.FENCED, false).read(JUDGE), JUDGE + 100, 0);
        assertFalse(logic.wantsToYield());
    }
}
