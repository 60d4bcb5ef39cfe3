package io.vmha.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementNetworksTest {
    private static HostRecord host(String name, long mib, List<String> networks, String... alarms) {
        return new HostRecord(name, new HostCapacity(mib, 16), 1, HostState.ACTIVE, List.of(alarms), networks);
    }

    private static VmSpec vm(String name, List<String> networks, String... prefer) {
        return new VmSpec(name, 1024, 1, "sim", Map.of(), true, List.of(prefer), networks);
    }

    private static Placement placement(HostRecord... hosts) {
        Pools p = new Pools();
        for (HostRecord h : hosts) p.members.put(h.name(), h);
        return Placement.of(p.view());
    }

    @Test
    void onlyHostsProvidingEveryNetworkQualify() {
        Placement p = placement(host("h1", 16384, List.of("biz")), host("h2", 8192, List.of("biz", "storage")));
        assertEquals(Optional.of("h2"), p.place(vm("v1", List.of("biz", "storage")), Set.of()).host());
        assertEquals(Optional.of("h1"), p.place(vm("v2", List.of("biz")), Set.of()).host());
        Placement.Result none = p.place(vm("v3", List.of("backup")), Set.of());
        assertTrue(none.host().isEmpty());
        assertEquals("a host providing [backup]", none.waitingFor());
        assertTrue(none.reason().contains("no active host provides network [backup]"), none.reason());
        assertFalse(p.placeOn("h1", vm("v4", List.of("storage"))));
    }

    @Test
    void evacuatingHostsGetNothingDegradedOnlyWhenNothingElseFits() {
        Placement p = placement(host("h1", 16384, List.of(), "evacuating: nic eth1 down, networks []"),
                host("h2", 16384, List.of(), "degraded: 10.0.0.1 unreachable"), host("h3", 1024, List.of()));
        assertEquals(Optional.of("h3"), p.place(vm("v1", List.of(), "h1", "h2"), Set.of()).host());
        Placement.Result r = p.place(vm("v2", List.of(), "h1"), Set.of());
        assertEquals(Optional.of("h2"), r.host());
        assertTrue(r.reason().endsWith("only degraded hosts fit"), r.reason());
        assertFalse(p.placeOn("h1", vm("v3", List.of())));
    }

    @Test
    void withoutNetworksTheMessagesAreUnchanged() {
        Placement.Result r = placement(host("h1", 512, List.of())).place(vm("v1", List.of()), Set.of());
        assertEquals("room", r.waitingFor());
        assertTrue(r.reason().startsWith("no active host has 1024 MiB and 1 vCPU free (free: "), r.reason());
    }
}
