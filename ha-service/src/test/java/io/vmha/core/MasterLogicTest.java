package io.vmha.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MasterLogicTest {
    private final List<String> journal = new ArrayList<>();
    private final MasterLogic logic = new MasterLogic(Timings.defaults(), RestartPolicy.defaults(),
            (source, message) -> journal.add(source + " " + message));

    @Test
    void waitsTheGraceBeforeReassigningAVanishedHostsVms() {
        PoolView view = new Pools().host("h1", 8192, 8).vm("v1", 1024).owner("v1", "h2", VmState.RUNNING, 5).view();
        assertEquals(List.of(), logic.plan(view, 10_000, 0));
        assertTrue(journal.get(0).contains("host h2 is gone"), journal.toString());
        assertEquals(List.of(), logic.plan(view, 10_499, 0));
        List<MasterAction> actions = logic.plan(view, 10_500, 0);
        MasterAction.WriteOwner w = assertInstanceOf(MasterAction.WriteOwner.class, actions.get(0));
        assertEquals("h1", w.next().host());
        assertEquals(VmState.STARTING, w.next().state());
        assertEquals(6, w.next().epoch());
        assertEquals(3, w.expectedVersion());
    }

    @Test
    void aHostThatReturnsWithinTheGraceKeepsItsVms() {
        Pools pools = new Pools().host("h1", 8192, 8).vm("v1", 1024).owner("v1", "h2", VmState.RUNNING, 5);
        logic.plan(pools.view(), 10_000, 0);
        assertEquals(List.of(), logic.plan(pools.host("h2", 8192, 8).view(), 10_600, 0));
    }

    @Test
    void aNewMasterWaitsTheFullGraceAgain() {
        PoolView view = new Pools().host("h1", 8192, 8).vm("v1", 1024).owner("v1", "h2", VmState.RUNNING, 5).view();
        logic.plan(view, 10_000, 0);
        logic.reset();
        assertEquals(List.of(), logic.plan(view, 20_000, 0));
        assertEquals(1, logic.plan(view, 20_500, 0).size());
    }

    @Test
    void aNewVmIsCreatedAtEpochOneOnTheBestHost() {
        PoolView view = new Pools().host("h1", 8192, 8).host("h2", 16384, 8).vm("v1", 1024).view();
        MasterAction.WriteOwner w = assertInstanceOf(MasterAction.WriteOwner.class, logic.plan(view, 0, 0).get(0));
        assertEquals(Versioned.ABSENT, w.expectedVersion());
        assertEquals("h2", w.next().host());
        assertEquals(1, w.next().epoch());
    }

    @Test
    void aFailedVmIsRestartedInPlaceUnderANewEpoch() {
        PoolView view = new Pools().host("h1", 8192, 8).host("h2", 16384, 8).vm("v1", 1024)
                .owner("v1", "h1", VmState.FAILED, 2).view();
        MasterAction.WriteOwner w = assertInstanceOf(MasterAction.WriteOwner.class, logic.plan(view, 0, 0).get(0));
        assertEquals("h1", w.next().host());
        assertEquals(3, w.next().epoch());
    }

    @Test
    void runningVmsOnLiveHostsAreLeftAlone() {
        PoolView view = new Pools().host("h1", 8192, 8).vm("v1", 1024).owner("v1", "h1", VmState.RUNNING, 2).view();
        assertEquals(List.of(), logic.plan(view, 0, 0));
    }
}
