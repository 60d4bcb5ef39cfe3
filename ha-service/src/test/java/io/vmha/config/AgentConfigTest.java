package io.vmha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.config.AgentConfig.ZooKeeper;
import io.vmha.core.HostCapacity;
import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Records built in code are held to the same rules as a file. */
class AgentConfigTest {
    private static final HostCapacity CAPACITY = new HostCapacity(4096, 4);

    @Test
    void defaultsUseTheDocumentedValues() {
        AgentConfig c = AgentConfig.defaults("demo", "host1", CAPACITY, "localhost:2181", Path.of("/tmp/shared"),
                Path.of("/tmp/host1"));
        assertEquals(6000, c.zookeeper().sessionTimeoutMs());
        assertEquals(500, c.fencing().stopDeadlineMs());
        assertEquals(600, c.restart().windowSeconds());
        assertEquals(500, c.loop().intervalMs());
        assertEquals(Path.of("/tmp/host1"), c.hypervisor().sim().stateDir());
    }

    @Test
    void defaultsRejectWhatAFileWouldReject() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AgentConfig.defaults("demo",
                "host1", new HostCapacity(VmSpec.MAX_MEMORY_MIB + 1, 4), "localhost:2181", Path.of("/s"), null));
        assertEquals("host.capacity.memory-mib", e.field());
        e = assertThrows(InvalidInputException.class, () -> AgentConfig.defaults("demo", "host1", CAPACITY,
                "localhost:2181", Path.of("relative"), null));
        assertEquals("hypervisor.sim.shared-dir", e.field());
        e = assertThrows(InvalidInputException.class, () -> AgentConfig.defaults("demo", "host1", CAPACITY,
                "localhost:2181,", Path.of("/s"), null));
        assertEquals("zookeeper.connect", e.field());
        assertTrue(e.accepted().endsWith("bad host in \"\""), e.accepted());
    }

    @Test
    void connectAcceptsNamesAddressesAndBracketedIpv6() {
        assertEquals("zk-1.example.org:2181,10.0.0.2:2181,[::1]:2181",
                ZooKeeper.withDefaults(" zk-1.example.org:2181 ,10.0.0.2:2181, [::1]:2181").connect());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ZooKeeper.withDefaults("zk1"));
        assertTrue(e.accepted().endsWith("bad port in \"zk1\""), e.accepted());
        e = assertThrows(InvalidInputException.class, () -> ZooKeeper.withDefaults("zk1:0"));
        assertEquals("zk1:0", e.value());
    }

    @Test
    void everyKeyOfTheExampleFileIsExplained() throws IOException {
        try (InputStream in = AgentConfigTest.class.getResourceAsStream("/vmha-example.yaml")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.matches("\\s*[a-z-]+:.*")) assertTrue(line.contains(" # "), "no comment: " + line);
            }
        }
    }
}
