package io.vmha.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Orderly moves: a lost network moves only the VMs needing it; an evacuation moves all, a bounded few at a time. */
class MasterLogicMoveTest {
    private final List<String> journal = new ArrayList<>();
    private final MasterLogic logic = new MasterLogic(Timings.defaults(), RestartPolicy.defaults(),
            (source, message) -> journal.add(source + " " + message));

    private static Pools pool(List<String> h1Networks, String... h1Alarms) {
        Pools p = new Pools();
        p.members.put("h1", new HostRecord("h1", new HostCapacity(16384, 16), 1, HostState.ACTIVE, List.of(h1Alarms), h1Networks));
        p.members.put("h2", new HostRecord("h2", new HostCapacity(16384, 16), 1, HostState.ACTIVE, List.of(), List.of("biz")));
        return p;
    }

    private static Pools vm(Pools p, String name, List<String> networks, VmState state, String reason) {
        p.vms.put(name, new VmSpec(name, 1024, 1, "sim", Map.of(), true, List.of(), networks));
        p.owners.put(name, new Versioned<>(new Ownership(name, "h1", state, 4, List.of(), "", reason), 7));
        return p;
    }

    private static List<MasterAction.WriteOwner> writes(List<MasterAction> actions) {
        return actions.stream().map(a -> assertInstanceOf(MasterAction.WriteOwner.class, a)).toList();
    }

    @Test
    void aLostNetworkStopsOnlyTheVmsNeedingItAtTheSameEpoch() {
        Pools p = pool(List.of());
        vm(p, "v1", List.of("biz"), VmState.RUNNING, "running");
        vm(p, "v2", List.of(), VmState.RUNNING, "running");
        List<MasterAction.WriteOwner> w = writes(logic.plan(p.view(), 0, 0));
        assertEquals(1, w.size());
        Ownership next = w.get(0).next();
        assertEquals("v1", next.vm());
        assertEquals(VmState.STOPPING, next.state());
        assertEquals("h1", next.host());
        assertEquals(4, next.epoch()); // not a new owner yet: the owner stops it first
        assertTrue(next.moving(), next.reason());
        assertTrue(next.reason().contains("h1 lost network [biz]") && next.reason().endsWith("start it on h2"), next.reason());
    }

    @Test
    void onlyAfterTheOwnerReportsStoppedIsItStartedElsewhereUnderANewEpoch() {
        Pools p = pool(List.of());
        vm(p, "v1", List.of("biz"), VmState.STOPPING, Ownership.MOVE + "host h1 lost network [biz]; stopping");
        assertEquals(List.of(), logic.plan(p.view(), 0, 0));
        Ownership stopped = p.owners.get("v1").value().stopped();
        assertTrue(stopped.moving());
        p.owners.put("v1", new Versioned<>(stopped, 8));
        Ownership next = writes(logic.plan(p.view(), 0, 0)).get(0).next();
        assertEquals("h2", next.host());
        assertEquals(VmState.STARTING, next.state());
        assertEquals(5, next.epoch());
    }

    @Test
    void aStoppedVmThatIsNotMovingIsLeftAlone() {
        Pools p = pool(List.of());
        vm(p, "v1", List.of("biz"), VmState.STOPPED, "stopped");
        assertEquals(List.of(), logic.plan(p.view(), 0, 0));
        assertEquals("stopped", new Ownership("v1", "h1", VmState.STOPPING, 1, List.of(), "", "removed").stopped().reason());
    }

    @Test
    void withNowhereToGoTheVmKeepsRunningAndTheMasterSaysWhyOnce() {
        Pools p = pool(List.of());
        p.members.remove("h2");
        vm(p, "v1", List.of("biz"), VmState.RUNNING, "running");
        assertEquals(List.of(), logic.plan(p.view(), 0, 0));
        assertEquals(List.of(), logic.plan(p.view(), 100, 0));
        assertEquals(1, journal.stream().filter(l -> l.contains("vm v1 stays: host h1 lost network [biz]")).count(), journal.toString());
    }

    @Test
    void anEvacuationMovesEveryVmButAtMostTheBoundAtATime() {
        Pools p = pool(List.of("biz"), "evacuating: 10.0.0.1 unreachable");
        for (int i = 1; i <= 5; i++) vm(p, "v" + i, List.of(), VmState.RUNNING, "running");
        List<MasterAction.WriteOwner> w = writes(logic.plan(p.view(), 0, 0));
        assertEquals(MasterLogic.EVACUATION_CONCURRENCY, w.size());
        assertTrue(w.get(0).why().contains("h1 is evacuating (10.0.0.1 unreachable)"), w.get(0).why());
        // While those two are in flight (stopping, stopped or starting at the target), nothing else moves.
        for (MasterAction.WriteOwner x : w) p.owners.put(x.vm(), new Versioned<>(x.next(), 8));
        assertEquals(List.of(), logic.plan(p.view(), 100, 0));
        // Once they run elsewhere, the next two go.
        for (MasterAction.WriteOwner x : w) {
            p.owners.put(x.vm(), new Versioned<>(new Ownership(x.vm(), "h2", VmState.RUNNING, 5, List.of(), "i", "running"), 9));
        }
        List<MasterAction.WriteOwner> next = writes(logic.plan(p.view(), 200, 0));
        assertEquals(List.of("v3", "v4"), next.stream().map(MasterAction.WriteOwner::vm).toList());
    }

    @Test
    void aFailedVmIsNotRestartedInPlaceOnAHostThatLostItsNetwork() {
        Pools p = pool(List.of());
        vm(p, "v1", List.of("biz"), VmState.FAILED, "exited");
        Ownership next = writes(logic.plan(p.view(), 0, 0)).get(0).next();
        assertEquals("h2", next.host());
    }
}
