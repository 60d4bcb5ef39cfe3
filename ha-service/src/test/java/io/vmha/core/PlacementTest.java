package io.vmha.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementTest {
    private static Optional<String> place(Pools pools, VmSpec vm) {
        return Placement.of(pools.view()).place(vm, Set.of()).host();
    }

    @Test
    void aVmGoesOnlyToAHostRunningItsDriver() {
        Pools p = new Pools().host("h1", 8192, 8).hostWithDriver("h2", 16384, 8, "qemu");
        assertEquals(Optional.of("h1"), place(p, VmSpec.sim("v", 1024)), "sim VM: the roomier qemu host is not a candidate");
        VmSpec qemu = new VmSpec("q", 64, 1, "qemu", Map.of(), true, List.of("h1"));
        assertEquals(Optional.of("h2"), place(p, qemu), "qemu VM: even a preferred sim host is not a candidate");
        Placement.Result none = Placement.of(new Pools().host("h1", 8192, 8).view()).place(qemu, Set.of());
        assertEquals(Optional.empty(), none.host());
        assertTrue(none.reason().contains("no active host runs the qemu driver"), none.reason());
    }

    @Test
    void mostFreeMemoryWins() {
        Pools p = new Pools().host("h1", 8192, 8).host("h2", 16384, 8);
        assertEquals(Optional.of("h2"), place(p, VmSpec.sim("v", 1024)));
    }

    @Test
    void capacityHeldByOwnersIsNotFree() {
        Pools p = new Pools().host("h1", 8192, 8).host("h2", 16384, 8).vm("big", 12288).owner("big", "h2", VmState.RUNNING, 1);
        assertEquals(Optional.of("h1"), place(p, VmSpec.sim("v", 1024)));
    }

    @Test
    void preferredHostsComeFirstEvenWithLessRoom() {
        Pools p = new Pools().host("h1", 4096, 8).host("h2", 16384, 8);
        VmSpec vm = new VmSpec("v", 1024, 1, "sim", Map.of(), true, List.of("h1"));
        Placement.Result r = Placement.of(p.view()).place(vm, Set.of());
        assertEquals(Optional.of("h1"), r.host());
        assertTrue(r.reason().startsWith("preferred host"), r.reason());
    }

    @Test
    void tiesGoToTheSmallestNameWhateverTheInsertionOrder() {
        Pools p = new Pools().host("h3", 8192, 8).host("h1", 8192, 8).host("h2", 8192, 8);
        assertEquals(Optional.of("h1"), place(p, VmSpec.sim("v", 1024)));
    }

    @Test
    void vcpusMustFitToo() {
        Pools p = new Pools().host("h1", 4096, 4).host("h2", 16384, 1);
        VmSpec twoCpus = new VmSpec("v", 1024, 2, "sim", Map.of(), true, List.of());
        assertEquals(Optional.of("h1"), place(p, twoCpus));
    }

    @Test
    void onlyActiveHostsReceiveVms() {
        Pools p = new Pools().host("h1", 4096, 4).host("h2", 16384, 4, HostState.JOINING).host("h3", 16384, 4, HostState.FROZEN);
        assertEquals(Optional.of("h1"), place(p, VmSpec.sim("v", 1024)));
    }

    @Test
    void oneMultiVmPlanNeverOverfillsAHost() {
        Placement placement = Placement.of(new Pools().host("h1", 4096, 8).view());
        assertEquals(Optional.of("h1"), placement.place(VmSpec.sim("a", 2048), Set.of()).host());
        assertEquals(Optional.of("h1"), placement.place(VmSpec.sim("b", 2048), Set.of()).host());
        Placement.Result third = placement.place(VmSpec.sim("c", 2048), Set.of());
        assertEquals(Optional.empty(), third.host());
        assertTrue(third.reason().contains("no active host has 2048 MiB"), third.reason());
    }

    @Test
    void excludedHostsAreSkipped() {
        Pools p = new Pools().host("h1", 4096, 8).host("h2", 16384, 8);
        assertEquals(Optional.of("h1"), Placement.of(p.view()).place(VmSpec.sim("v", 1024), Set.of("h2")).host());
    }
}
