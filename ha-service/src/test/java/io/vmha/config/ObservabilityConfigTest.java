package io.vmha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jolokia: and prometheus: sections: defaults, errors naming key, value and what is accepted, round trip. */
class ObservabilityConfigTest {
    private static final String BASE = """
            pool: demo
            host: {name: host1, capacity: {memory-mib: 16384, vcpus: 16}}
            zookeeper: {connect: 127.0.0.1:2181}
            hypervisor: {sim: {shared-dir: /var/lib/vmha/shared}}
            """;
    private static final String JOLOKIA = """
            jolokia:
              read-only: {user: monitor, password-file: /etc/vmha/ro.password, policy: /etc/vmha/jolokia-readonly.xml}
              operator: {user: admin, password-file: /etc/vmha/op.password, policy: /etc/vmha/jolokia-operator.xml}
            """;

    @TempDir Path dir;

    private AgentConfig load(String yaml) throws Exception {
        return AgentConfigLoader.load(Files.writeString(dir.resolve("a.yaml"), yaml));
    }

    private String rejected(String yaml) throws Exception {
        Path f = Files.writeString(dir.resolve("a.yaml"), yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.load(f));
        return e.getMessage();
    }

    @Test void bothAreOffUnlessConfigured() throws Exception {
        AgentConfig c = load(BASE);
        assertFalse(c.observability().jolokia().enabled());
        assertFalse(c.observability().prometheus().enabled());
    }

    @Test void aSectionMeansOnWithLoopbackAndWellKnownPorts() throws Exception {
        AgentConfig c = load(BASE + JOLOKIA + "prometheus: {}\n");
        assertTrue(c.observability().jolokia().enabled());
        assertEquals("127.0.0.1", c.observability().jolokia().address());
        assertEquals(8778, c.observability().jolokia().port());
        assertEquals("admin", c.observability().jolokia().operator().user());
        assertEquals(Path.of("/etc/vmha/jolokia-readonly.xml"), c.observability().jolokia().readOnly().policy());
        assertTrue(c.observability().prometheus().enabled());
        assertEquals("127.0.0.1", c.observability().prometheus().address());
        assertEquals(9464, c.observability().prometheus().port());
    }

    @Test void portZeroIsAccepted() throws Exception {
        assertEquals(0, load(BASE + "prometheus: {port: 0}\n").observability().prometheus().port());
    }

    @Test void errorsNameTheKeyTheValueAndWhatIsAccepted() throws Exception {
        String m = rejected(BASE + "prometheus: {port: 70000}\n");
        assertTrue(m.contains("prometheus.port") && m.contains("70000") && m.contains("0 to 65535"), m);
        m = rejected(BASE + "jolokia: {read-only: {user: monitor, password-file: /x, policy: /y}}\n");
        assertTrue(m.contains("jolokia.operator") && m.contains("missing"), m);
        m = rejected(BASE + "jolokia:\n  read-only: {user: monitor, password-file: /x, policy: relative.xml}\n"
                + "  operator: {user: admin, password-file: /x, policy: /y}\n");
        assertTrue(m.contains("jolokia.read-only.policy") && m.contains("relative.xml"), m);
        m = rejected(BASE + "jolokia: {polcy: /x}\n");
        assertTrue(m.contains("jolokia.polcy"), m);
        m = rejected(BASE + "prometheus: {address: 'not an address'}\n");
        assertTrue(m.contains("prometheus.address"), m);
    }

    @Test void sameUserForBothRolesIsRefused() {
        ObservabilityConfig.Role r = new ObservabilityConfig.Role("u", Path.of("/a"), Path.of("/b"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new ObservabilityConfig.Jolokia(true, "127.0.0.1", 8778, r, r));
        assertTrue(e.getMessage().contains("jolokia.operator.user"), e.getMessage());
    }

    @Test void writtenConfigReadsBackEqual() throws Exception {
        AgentConfig c = load(BASE + JOLOKIA + "prometheus: {address: 0.0.0.0, port: 9999}\n");
        AgentConfig back = load(c.toYaml());
        assertEquals(c, back);
    }
}
