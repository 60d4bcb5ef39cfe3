package io.vmha.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vmha.core.HostCapacity;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.PoolView;
import io.vmha.core.VmSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FailuresToToleratesTest {
    private static PoolView pool(List<HostRecord> hosts, List<VmSpec> vms) {
        Map<String, HostRecord> h = new TreeMap<>();
        hosts.forEach(r -> h.put(r.name(), r));
        Map<String, VmSpec> v = new TreeMap<>();
        vms.forEach(s -> v.put(s.name(), s));
        return PoolView.of(h, v, Map.of());
    }

    private static HostRecord host(String name, long mib, HostState state) {
        return new HostRecord(name, new HostCapacity(mib, 16), 1, state);
    }

    @Test void threeEqualHostsWithRoomForEverythingOnOneTolerateTwo() {
        assertEquals(2, FailuresToTolerate.of(pool(List.of(host("h1", 4096, HostState.ACTIVE), host("h2", 4096, HostState.ACTIVE),
                host("h3", 4096, HostState.ACTIVE)), List.of(VmSpec.sim("a", 1024), VmSpec.sim("b", 1024)))));
    }

    @Test void theWorstChoiceOfFailedHostsCounts() {
        // Without h1 the VMs (3 GiB) fit on h2+h3 (2+2 GiB); without h1 and h2 they do not: one failure.
        assertEquals(1, FailuresToTolerate.of(pool(List.of(host("h1", 8192, HostState.ACTIVE), host("h2", 2048, HostState.ACTIVE),
                host("h3", 2048, HostState.ACTIVE)), List.of(VmSpec.sim("a", 1536), VmSpec.sim("b", 1536)))));
    }

    @Test void fragmentationIsRespected() {
        // 2 x 1.5 GiB on two 2 GiB hosts: aggregate says fits on... only one VM per host, so losing either fails.
        assertEquals(0, FailuresToTolerate.of(pool(List.of(host("h1", 2048, HostState.ACTIVE), host("h2", 2048, HostState.ACTIVE)),
                List.of(VmSpec.sim("a", 1536), VmSpec.sim("b", 1536)))));
    }

    @Test void onlyActiveHostsAndHaVmsCount() {
        VmSpec noHa = new VmSpec("big", 100_000, 1, "sim", Map.of(), false, List.of());
        assertEquals(1, FailuresToTolerate.of(pool(List.of(host("h1", 4096, HostState.ACTIVE), host("h2", 4096, HostState.ACTIVE),
                host("h3", 4096, HostState.FENCED)), List.of(VmSpec.sim("a", 1024), noHa))));
        assertEquals(-1, FailuresToTolerate.of(pool(List.of(host("h1", 4096, HostState.JOINING)), List.of())));
    }
}
