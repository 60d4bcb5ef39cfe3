package io.vmha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.config.AgentConfig.Fencing;
import io.vmha.config.AgentConfig.Loop;
import io.vmha.config.AgentConfig.Restart;
import io.vmha.core.HostCapacity;
import io.vmha.core.InvalidInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentConfigLoaderTest {
    private static final String FULL = """
            pool: prod
            host:
              name: node-7
              capacity:
                memory-mib: 65536
                vcpus: 32
            zookeeper:
              connect: zk1:2181, zk2:2182,10.0.0.3:2183
              session-timeout-ms: 9000
              connection-timeout-ms: 3000
            fencing:
              stop-deadline-ms: 700
              safety-margin-ms: 0
            restart:
              max-restarts: 5
              window-seconds: 3600
              max-relocations: 1
            hypervisor:
              driver: sim
              sim:
                shared-dir: /srv/shared
                state-dir: /srv/sim
            loop:
              interval-ms: 250
            """;
    private static final String MINIMAL = """
            pool: demo
            host:
              name: host1
              capacity: {memory-mib: 16384, vcpus: 16}
            zookeeper:
              connect: 127.0.0.1:2181
            hypervisor:
              sim:
                shared-dir: /var/lib/vmha/shared
            """;

    @TempDir Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("agent.yaml"), yaml);
    }

    private AgentConfig load(String yaml) throws Exception {
        return AgentConfigLoader.load(write(yaml));
    }

    /** Loads a file that must be rejected; checks the message carries the file and returns the value error. */
    private InvalidInputException reject(String yaml) throws IOException {
        Path file = write(yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        InvalidInputException cause = e.invalidInput().orElseThrow();
        assertEquals(file + ": " + cause.getMessage(), e.getMessage());
        return cause;
    }

    @Test
    void readsEveryKeyOfAFullFile() throws Exception {
        AgentConfig c = load(FULL);
        assertEquals("prod", c.pool());
        assertEquals("node-7", c.host().name());
        assertEquals(new HostCapacity(65536, 32), c.host().capacity());
        assertEquals("zk1:2181,zk2:2182,10.0.0.3:2183", c.zookeeper().connect());
        assertEquals(9000, c.zookeeper().sessionTimeoutMs());
        assertEquals(3000, c.zookeeper().connectionTimeoutMs());
        assertEquals(new Fencing(700, 0), c.fencing());
        assertEquals(new Restart(5, 3600, 1), c.restart());
        assertEquals("sim", c.hypervisor().driver());
        assertEquals(Path.of("/srv/shared"), c.hypervisor().sim().sharedDir());
        assertEquals(Path.of("/srv/sim"), c.hypervisor().sim().stateDir());
        assertEquals(250, c.loop().intervalMs());
    }

    @Test
    void appliesDefaultsWhenOptionalKeysAreAbsent() throws Exception {
        AgentConfig c = load(MINIMAL);
        assertEquals(6000, c.zookeeper().sessionTimeoutMs());
        assertEquals(5000, c.zookeeper().connectionTimeoutMs());
        assertEquals(new Fencing(500, 500), c.fencing());
        assertEquals(new Restart(3, 600, 2), c.restart());
        assertEquals("sim", c.hypervisor().driver());
        assertEquals(Path.of("/var/lib/vmha/sim"), c.hypervisor().sim().stateDir());
        assertEquals(new Loop(500), c.loop());
        assertEquals(AgentConfig.defaults("demo", "host1", new HostCapacity(16384, 16), "127.0.0.1:2181",
                Path.of("/var/lib/vmha/shared"), null), c);
    }

    private static final String QEMU = """
            pool: demo
            host:
              name: host1
              capacity: {memory-mib: 16384, vcpus: 16}
            zookeeper:
              connect: 127.0.0.1:2181
            hypervisor:
              driver: qemu
            """;

    @Test
    void theQemuDriverNeedsNoSectionAndReadsOneRoundTrip() throws Exception {
        AgentConfig defaults = load(QEMU);
        assertEquals("qemu", defaults.hypervisor().driver());
        assertEquals(Path.of("/var/lib/vmha/qemu"), defaults.hypervisor().qemu().runDir());
        assertEquals(Path.of("/var/lib/vmha/qemu"), defaults.hypervisor().stateDir());
        AgentConfig set = load(QEMU + "  qemu: {binary: /usr/local/bin/qemu-system-x86_64, run-dir: /run/vmha-q,"
                + " stop-timeout-ms: 5000, start-timeout-ms: 30000}\n");
        assertEquals("/usr/local/bin/qemu-system-x86_64", set.hypervisor().qemu().binary());
        assertEquals(Path.of("/run/vmha-q"), set.hypervisor().qemu().runDir());
        assertEquals(5000, set.hypervisor().qemu().stopTimeoutMillis());
        assertEquals(set, load(set.toYaml()));
    }

    @Test
    void theLibvirtDriverReadsItsSectionAndRoundTrips() throws Exception {
        String yaml = QEMU.replace("driver: qemu", "driver: libvirt");
        AgentConfig defaults = load(yaml);
        assertEquals("qemu:///system", defaults.hypervisor().libvirt().uri());
        assertEquals(Path.of("/var/lib/vmha/libvirt"), defaults.hypervisor().stateDir());
        AgentConfig set = load(yaml + "  libvirt: {uri: 'qemu+ssh://node1/system', poll-interval-ms: 2000, run-directory: /srv/vl}\n");
        assertEquals("qemu+ssh://node1/system", set.hypervisor().libvirt().uri());
        assertEquals(2000, set.hypervisor().libvirt().pollIntervalMillis());
        assertEquals(set, load(set.toYaml()));
        assertEquals("hypervisor.libvirt.poll-interval-ms", reject(yaml + "  libvirt: {poll-interval-ms: 5}\n").field());
        assertEquals("hypervisor.libvirt.url", reject(yaml + "  libvirt: {url: x}\n").field());
    }

    @Test
    void qemuMistakesNameTheKey() throws Exception {
        assertEquals("hypervisor.qemu.run-dir",
                reject(QEMU + "  qemu: {run-dir: /a/run/dir/much/too/long/for/a/unix/socket/path/x}\n").field());
        assertEquals("hypervisor.qemu.stop-timeout-ms", reject(QEMU + "  qemu: {stop-timeout-ms: 5}\n").field());
        assertEquals("hypervisor.qemu.rundir", reject(QEMU + "  qemu: {rundir: /x}\n").field());
    }

    @Test
    void anEmptySectionMeansDefaults() throws Exception {
        assertEquals(load(MINIMAL), load(MINIMAL + "fencing:\nrestart:\nloop:\n"));
    }

    @Test
    void rejectsAnUnknownTopLevelKeyListingTheAcceptedOnes() throws Exception {
        InvalidInputException e = reject(MINIMAL + "pol: demo\n");
        assertEquals("pol", e.field());
        assertEquals("pol: \"demo\" is not accepted; expected one of "
                + "[pool, host, zookeeper, fencing, restart, hypervisor, loop, heartbeat, health, migration, jolokia, prometheus]", e.getMessage());
    }

    @Test
    void rejectsAnUnknownNestedKeyByItsDottedName() throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("  connect: 127.0.0.1:2181\n",
                "  connect: 127.0.0.1:2181\n  sesion-timeout-ms: 6000\n"));
        assertEquals("zookeeper.sesion-timeout-ms: \"6000\" is not accepted; "
                + "expected one of [connect, session-timeout-ms, connection-timeout-ms]", e.getMessage());

        e = reject(MINIMAL.replace("shared-dir:", "share-dir:"));
        assertEquals("hypervisor.sim.share-dir", e.field());
        assertEquals("one of [shared-dir, state-dir]", e.accepted());
    }

    @Test
    void rejectsNegativeMemory() throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("memory-mib: 16384", "memory-mib: -1"));
        assertEquals("host.capacity.memory-mib: -1 is not accepted; "
                + "expected an integer from 1 to 16777216 (MiB)", e.getMessage());
    }

    @Test
    void rejectsZeroVcpus() throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("vcpus: 16", "vcpus: 0"));
        assertEquals("host.capacity.vcpus", e.field());
        assertEquals("0", e.value());
        assertEquals("an integer from 1 to 1024 (vCPUs)", e.accepted());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"host/1\"", "\"host 1\""})
    void rejectsAHostNameWithASlashOrASpace(String name) throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("name: host1", "name: " + name));
        assertEquals("host.name", e.field());
        assertEquals(name.substring(1, name.length() - 1), e.value());
        assertTrue(e.accepted().contains("letters, digits, '.', '_' or '-'"), e.accepted());
    }

    @Test
    void rejectsAnEmptyPoolName() throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("pool: demo", "pool: \"\""));
        assertTrue(e.getMessage().startsWith("pool: \"\" is not accepted; expected 1 to 63 letters"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {999, 60001})
    void rejectsASessionTimeoutOutOfRange(int timeout) throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("  connect: 127.0.0.1:2181\n",
                "  connect: 127.0.0.1:2181\n  session-timeout-ms: " + timeout + "\n"));
        assertEquals("zookeeper.session-timeout-ms: " + timeout + " is not accepted; "
                + "expected an integer from 1000 to 60000 (milliseconds)", e.getMessage());
    }

    @Test
    void rejectsAStringWhereANumberIsNeeded() throws Exception {
        InvalidInputException e = reject(MINIMAL + "loop:\n  interval-ms: 500ms\n");
        assertEquals("loop.interval-ms: \"500ms\" is not accepted; "
                + "expected an integer from 50 to 10000 (milliseconds)", e.getMessage());
        e = reject(MINIMAL + "loop:\n  interval-ms: 2.5\n");
        assertEquals("2.5", e.value());
    }

    @Test
    void rejectsAListWhereAMappingIsNeeded() throws Exception {
        InvalidInputException e = reject(MINIMAL + "fencing: [1500, 500]\n");
        assertEquals("fencing", e.field());
        assertEquals("a list [1500,500]", e.value());
        assertEquals("a mapping with keys [stop-deadline-ms, safety-margin-ms, guard]", e.accepted());
    }

    @Test
    void rejectsANumberWhereANameIsNeeded() throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("pool: demo", "pool: 123"));
        assertEquals("pool: 123 is not accepted; expected a string: 1 to 63 letters, digits, '.', '_' or '-', "
                + "starting with a letter or digit (quote a name that looks like a number)", e.getMessage());
    }

    @Test
    void namesAMissingRequiredKey() throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("  connect: 127.0.0.1:2181\n", "  session-timeout-ms: 6000\n"));
        assertEquals("zookeeper.connect", e.field());
        assertEquals("(missing)", e.value());
        e = reject(MINIMAL.replace("hypervisor:\n  sim:\n    shared-dir: /var/lib/vmha/shared\n", ""));
        assertEquals("hypervisor.sim.shared-dir: \"(missing)\" is not accepted; "
                + "expected an absolute path, e.g. /var/lib/vmha/shared", e.getMessage());
    }

    @Test
    void reportsTheFirstErrorInDocumentOrder() throws Exception {
        String yaml = "loop: {interval-ms: 1}\npool: \"a b\"\n" + MINIMAL.replace("pool: demo\n", "");
        assertEquals("loop.interval-ms", reject(yaml).field());
        yaml = "pool: \"a b\"\nloop: {interval-ms: 1}\n" + MINIMAL.replace("pool: demo\n", "");
        assertEquals("pool", reject(yaml).field());
    }

    @Test
    void rejectsAChrootOrABadPortInTheConnectString() throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("127.0.0.1:2181", "zk1:2181/vmha"));
        assertEquals("zk1:2181/vmha", e.value());
        assertTrue(e.accepted().contains("without a /chroot suffix"), e.accepted());
        e = reject(MINIMAL.replace("127.0.0.1:2181", "zk1:2181,zk2:70000"));
        assertTrue(e.accepted().contains("ports 1 to 65535") && e.accepted().endsWith("bad port in \"zk2:70000\""),
                e.accepted());
    }

    @Test
    void rejectsARelativeSharedDir() throws Exception {
        InvalidInputException e = reject(MINIMAL.replace("/var/lib/vmha/shared", "shared"));
        assertEquals("hypervisor.sim.shared-dir: \"shared\" is not accepted; "
                + "expected an absolute path, e.g. /var/lib/vmha/shared", e.getMessage());
    }

    @Test
    void rejectsMalformedYamlWithFileAndLine() throws Exception {
        Path file = write("pool: demo\nhost:\n  name: [host1\n  capacity: {}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.load(file));
        assertEquals(file + ": not valid YAML: while parsing a flow sequence at line 3, column 9; "
                + "expected ',' or ']', but got : at line 4, column 11", e.getMessage());
        assertTrue(e.invalidInput().isEmpty());
    }

    @Test
    void rejectsADuplicateKey() throws Exception {
        Path file = write(MINIMAL + "pool: other\n");
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.load(file));
        assertEquals(file + ": not valid YAML at line 10, column 5: Duplicate field 'pool'", e.getMessage());
    }

    @Test
    void rejectsAMissingFile() {
        Path file = dir.resolve("absent.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.load(file));
        assertEquals(file + ": cannot read: no such file", e.getMessage());
        assertEquals(file, e.file());
    }

    @Test
    void writesYamlThatLoadsBackEqual() throws Exception {
        AgentConfig full = load(FULL);
        assertEquals(full, load(full.toYaml()));
        AgentConfig demo = AgentConfig.defaults("123", "true", new HostCapacity(2048, 2), "localhost:21810",
                dir.resolve("shared"), dir.resolve("host1"));
        assertEquals(demo, load(demo.toYaml()));
    }

    @Test
    void theExampleFileLoads() throws Exception {
        Path example = Path.of(getResource("/vmha-example.yaml"));
        AgentConfig c = AgentConfigLoader.load(example);
        AgentConfig d = AgentConfig.defaults("demo", "host1", new HostCapacity(16384, 16), "127.0.0.1:2181",
                Path.of("/var/lib/vmha/shared"), Path.of("/var/lib/vmha/sim"));
        assertEquals(new AgentConfig(d.pool(), d.host(), d.zookeeper(), d.fencing(), d.restart(), d.hypervisor(), d.loop(),
                new AgentConfig.Heartbeat(Path.of("/dev/disk/by-id/vmha-heartbeat"), 1000, 5000))
                .withHealth(HealthConfigTest.EXAMPLE_HEALTH).withObservability(new ObservabilityConfig(
                        new ObservabilityConfig.Jolokia(true, "127.0.0.1", 8778,
                                new ObservabilityConfig.Role("monitor", Path.of("/etc/vmha/jolokia-readonly.password"),
                                        Path.of("/etc/vmha/jolokia-readonly.xml")),
                                new ObservabilityConfig.Role("operator", Path.of("/etc/vmha/jolokia-operator.password"),
                                        Path.of("/etc/vmha/jolokia-operator.xml"))),
                        new ObservabilityConfig.Prometheus(true, "127.0.0.1", 9464)))
                .withMigration(new MigrationConfig(Path.of("/etc/vmha/pki"), "0.0.0.0:7450", "host1.example", 2, 300_000, 0, 0)), c);
    }

    @Test
    void heartbeatAndGuardKeysAreReadAndChecked() throws Exception {
        AgentConfig c = load(MINIMAL + "heartbeat:\n  device: /dev/loop7\n  interval-ms: 500\n  timeout-ms: 2000\n"
                + "fencing:\n  guard: false\n");
        assertEquals(Path.of("/dev/loop7"), c.heartbeat().device());
        assertEquals(2000, c.timings().diskTimeoutMillis());
        assertEquals(false, c.fencing().guard());
        assertEquals(c, load(c.toYaml()));
        InvalidInputException e = reject(MINIMAL + "heartbeat:\n  device: relative/path\n");
        assertEquals("heartbeat.device", e.field());
        e = reject(MINIMAL + "fencing:\n  guard: maybe\n");
        assertEquals("fencing.guard", e.field());
        assertEquals("true or false", e.accepted());
        // A disk timeout that would let a host outlive the master's wait for its stale slot is refused.
        e = reject(MINIMAL + "heartbeat:\n  device: /dev/loop7\n  interval-ms: 300\n  timeout-ms: 1500\n");
        assertEquals("heartbeat.timeout-ms", e.field());
        assertTrue(e.accepted().contains("stop-deadline-ms"), e.accepted());
    }

    private static java.net.URI getResource(String name) throws URISyntaxException {
        return AgentConfigLoaderTest.class.getResource(name).toURI();
    }

    @Test
    void theMigrationSectionReadsValidatesAndRoundTrips() throws Exception {
        assertFalse(load(MINIMAL).migration().configured(), "no pki-dir: no live migration");
        AgentConfig c = load(MINIMAL + "migration: {pki-dir: /etc/vmha/pki, listen: 10.0.0.5:7450, advertise: host1.example,"
                + " max-per-host: 3, timeout-ms: 60000, bandwidth-mib: 500, max-downtime-ms: 200}\n");
        MigrationConfig m = c.migration();
        assertTrue(m.configured());
        assertEquals("10.0.0.5", m.listenHost());
        assertEquals(7450, m.listenPort());
        assertEquals(new io.vmha.core.MigrationPolicy(3, 60_000, 500L << 20, 200), m.policy());
        assertEquals(c, load(c.toYaml()));
        InvalidInputException port = reject(MINIMAL + "migration: {pki-dir: /etc/vmha/pki, listen: 10.0.0.5}\n");
        assertEquals("migration.listen", port.field());
        InvalidInputException relative = reject(MINIMAL + "migration: {pki-dir: pki}\n");
        assertEquals("migration.pki-dir", relative.field());
        InvalidInputException perHost = reject(MINIMAL + "migration: {pki-dir: /p, max-per-host: 0}\n");
        assertEquals("migration.max-per-host", perHost.field());
        InvalidInputException unknown = reject(MINIMAL + "migration: {pki-dir: /p, speed: 3}\n");
        assertTrue(unknown.getMessage().contains("max-downtime-ms"), unknown.getMessage());
    }
}
