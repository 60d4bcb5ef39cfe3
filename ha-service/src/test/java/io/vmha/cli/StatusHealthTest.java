package io.vmha.cli;

import io.vmha.coordination.PoolAdmin;
import io.vmha.core.HostCapacity;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vmha status} shows networks and health alarms, in the table and in --json; {@code vm add --network}. */
class StatusHealthTest {
    private static PoolAdmin.PoolStatus status() {
        HostRecord h1 = new HostRecord("h1", new HostCapacity(8192, 8), 1, HostState.ACTIVE,
                List.of("degraded: 10.0.0.1 unreachable", "network-lost: nic eth1 down, networks [biz]"), List.of("mgmt"));
        HostRecord h2 = new HostRecord("h2", new HostCapacity(8192, 8), 1, HostState.ACTIVE, List.of(), List.of("biz", "mgmt"));
        VmSpec v1 = new VmSpec("v1", 1024, 1, "sim", Map.of(), true, List.of(), List.of("biz"));
        Ownership o1 = new Ownership("v1", "h2", VmState.RUNNING, 2, List.of(), "i", "running as i");
        return new PoolAdmin.PoolStatus("demo", "h2", List.of(h1, h2), List.of(v1), List.of(o1), List.of());
    }

    @Test
    void theTableShowsNetworksAndAlarms() {
        String out = StatusCommand.render(status());
        assertTrue(out.contains("alarm h1: degraded: 10.0.0.1 unreachable\n"), out);
        assertTrue(out.contains("alarm h1: network-lost: nic eth1 down, networks [biz]\n"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("h2 ") && l.endsWith("biz,mgmt")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("v1 ") && l.contains(" biz ")), out);
    }

    @Test
    void jsonCarriesNetworksAndAlarms() throws Exception {
        var tree = Json.MAPPER.readTree(Json.write(status()));
        assertEquals("degraded: 10.0.0.1 unreachable", tree.at("/members/0/alarms/0").asText());
        assertEquals("mgmt", tree.at("/members/0/networks/0").asText());
        assertEquals("biz", tree.at("/vms/0/networks/0").asText());
    }

    @Test
    void vmAddTakesRepeatableNetworksAndRefusesABadOne() {
        VmCommand.Add add = new VmCommand.Add();
        new CommandLine(add).parseArgs("v1", "--memory-mib", "512", "--network", "biz", "--network", "storage");
        assertEquals(List.of("biz", "storage"), add.networks);
        // Validated before any connection is tried: port 1 would answer 3 (unreachable), not 2.
        assertEquals(Main.BAD_INPUT, Main.run("vm", "add", "v1", "--memory-mib", "512", "--network", "a/b", "--zk", "127.0.0.1:1"));
    }
}
