package io.vmha.config;

import io.vmha.core.HealthAction;
import io.vmha.core.HealthPolicy;
import io.vmha.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code health:} section: defaults, every key read, and each bad value named by its list entry. */
class HealthConfigTest {
    /** What vmha-example.yaml's health section says. */
    static final HealthPolicy EXAMPLE_HEALTH = new HealthPolicy(
            List.of(new HealthPolicy.Nic("eth1", List.of("biz"), HealthAction.NETWORKS, 2, 500)),
            List.of(new HealthPolicy.Reachability("10.0.0.1", 5000, 1000, 3, HealthAction.DEGRADE)),
            Optional.of(new HealthPolicy.DiskLatency(500, 3, HealthAction.DEGRADE)));

    private static final String BASE = """
            pool: demo
            host:
              name: host1
              capacity: {memory-mib: 16384, vcpus: 16}
            zookeeper:
              connect: 127.0.0.1:2181
            hypervisor:
              sim:
                shared-dir: /var/lib/vmha/shared
            heartbeat:
              device: /dev/loop7
            """;

    @TempDir Path dir;

    private AgentConfig load(String yaml) throws Exception {
        return AgentConfigLoader.load(Files.writeString(dir.resolve("agent.yaml"), yaml));
    }

    private InvalidInputException reject(String health) throws IOException {
        Path file = Files.writeString(dir.resolve("agent.yaml"), BASE + health);
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.invalidInput().orElseThrow();
    }

    @Test
    void noSectionWatchesNothing() throws Exception {
        assertEquals(HealthPolicy.NONE, load(BASE).health());
        assertEquals(HealthPolicy.NONE, load(BASE + "health:\n").health());
    }

    @Test
    void defaultsPerMonitor() throws Exception {
        HealthPolicy h = load(BASE + """
                health:
                  nics: [{name: eth1, networks: [biz, storage, biz]}]
                  reachability: [{address: 10.0.0.1}]
                  disk-latency: {}
                """).health();
        HealthPolicy.Nic nic = h.nics().get(0);
        assertEquals(List.of("biz", "storage"), nic.networks());
        assertEquals(HealthAction.NETWORKS, nic.action());
        assertEquals(HealthAction.DEGRADE, h.reachability().get(0).action());
        assertEquals(5000, h.reachability().get(0).intervalMs());
        assertEquals(HealthPolicy.DiskLatency.DEFAULTS, h.diskLatency().orElseThrow());
        assertEquals(List.of("biz", "storage"), List.copyOf(h.configuredNetworks()));
    }

    @Test
    void everyKeyIsReadAndWrittenBack() throws Exception {
        AgentConfig c = load(BASE + """
                health:
                  nics:
                    - {name: eth1, networks: [biz], action: evacuate, failures: 4, interval-ms: 200}
                    - {name: bond0.12, action: degrade}
                  reachability:
                    - {address: 'fe80::1', interval-seconds: 2, timeout-ms: 300, failures: 5, action: evacuate}
                  disk-latency: {warn-ms: 80, failures: 7, action: evacuate}
                """);
        HealthPolicy h = c.health();
        assertEquals(new HealthPolicy.Nic("eth1", List.of("biz"), HealthAction.EVACUATE, 4, 200), h.nics().get(0));
        assertEquals(List.of(), h.nics().get(1).networks());
        assertEquals(new HealthPolicy.Reachability("fe80::1", 2000, 300, 5, HealthAction.EVACUATE), h.reachability().get(0));
        assertEquals(new HealthPolicy.DiskLatency(80, 7, HealthAction.EVACUATE), h.diskLatency().orElseThrow());
        assertEquals(c, load(c.toYaml()));
    }

    @Test
    void badValuesNameTheEntryTheValueAndWhatIsAccepted() throws Exception {
        InvalidInputException e = reject("health:\n  nics: [{name: eth1, networks: [biz]}, {name: 'eth/2', networks: [x]}]\n");
        assertEquals("health.nics[1] (health.nics.name)", e.field());
        assertEquals("eth/2", e.value());
        assertEquals(HealthPolicy.NIC_RULE, e.accepted());

        e = reject("health:\n  nics: [{name: eth1, networks: [biz], action: reboot}]\n");
        assertEquals("health.nics[0].action", e.field());
        assertEquals("one of [networks, degrade, evacuate]", e.accepted());

        e = reject("health:\n  nics: [{name: eth1, networks: [biz], failures: 0}]\n");
        assertEquals("health.nics[0].failures", e.field());
        assertEquals("0", e.value());

        e = reject("health:\n  nics: [{name: eth1, networks: 'biz'}]\n");
        assertEquals("health.nics[0].networks", e.field());

        e = reject("health:\n  nics: [{name: eth1, networks: [biz, 'a b']}]\n");
        assertEquals("health.nics[0].networks[1]", e.field());

        e = reject("health:\n  nics: [{name: eth1}]\n");
        assertEquals("health.nics[0] (health.nics.eth1.networks)", e.field());
        assertTrue(e.accepted().contains("at least one"), e.accepted());

        e = reject("health:\n  nics: [{networks: [biz]}]\n");
        assertEquals("health.nics[0].name", e.field());
        assertEquals("(missing)", e.value());

        e = reject("health:\n  nics: [{name: eth1, networks: [a]}, {name: eth1, networks: [b]}]\n");
        assertEquals("health.nics.name", e.field());
        assertEquals("each NIC listed once", e.accepted());

        e = reject("health:\n  nics: [{name: eth1, networks: [a], speed: 10}]\n");
        assertEquals("health.nics[0].speed", e.field());

        e = reject("health:\n  nics: {name: eth1}\n");
        assertEquals("health.nics", e.field());
        assertEquals("a list of mappings", e.accepted());

        e = reject("health:\n  reachability: [{address: 10.0.0.1, action: networks}]\n");
        assertEquals("health.reachability[0].action", e.field());
        assertEquals("one of [degrade, evacuate]", e.accepted());

        e = reject("health:\n  reachability: [{address: 10.0.0.1, interval-seconds: 1, timeout-ms: 1000}]\n");
        assertEquals("health.reachability[0] (health.reachability.10.0.0.1.timeout-ms)", e.field());
        assertTrue(e.accepted().contains("less than the interval"), e.accepted());

        e = reject("health:\n  reachability: [{address: 'not an address'}]\n");
        assertEquals("health.reachability[0] (health.reachability.address)", e.field());

        e = reject("health:\n  disk-latency: {warn-ms: -5}\n");
        assertEquals("health.disk-latency.warn-ms", e.field());
        assertEquals("an integer from 1 to 60000 (milliseconds)", e.accepted());

        e = reject("health:\n  watchdog: true\n");
        assertEquals("health.watchdog", e.field());
    }

    @Test
    void diskLatencyNeedsAHeartbeatDisk() throws Exception {
        Path file = Files.writeString(dir.resolve("agent.yaml"), BASE.replace("heartbeat:\n  device: /dev/loop7\n", "")
                + "health:\n  disk-latency: {warn-ms: 100}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.load(file));
        assertEquals("health.disk-latency", e.invalidInput().orElseThrow().field());
    }
}
