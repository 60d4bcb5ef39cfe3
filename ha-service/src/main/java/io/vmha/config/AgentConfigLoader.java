package io.vmha.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vmha.config.AgentConfig.Fencing;
import io.vmha.config.AgentConfig.Heartbeat;
import io.vmha.config.AgentConfig.Host;
import io.vmha.config.AgentConfig.HypervisorConfig;
import io.vmha.config.AgentConfig.Loop;
import io.vmha.config.AgentConfig.Restart;
import io.vmha.config.AgentConfig.SimConfig;
import io.vmha.config.AgentConfig.ZooKeeper;
import io.vmha.core.HostCapacity;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import io.vmha.core.VmSpec;
import io.vmha.hypervisor.libvirt.LibvirtConfig;
import io.vmha.hypervisor.qemu.QemuConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.vmha.config.YamlValues.integer;
import static io.vmha.config.YamlValues.mapping;
import static io.vmha.config.YamlValues.missing;
import static io.vmha.config.YamlValues.name;
import static io.vmha.config.YamlValues.path;
import static io.vmha.config.YamlValues.text;
import static io.vmha.config.YamlValues.unknown;

/**
 * Reads and checks the agent's YAML file at start, so a typo stops the agent before it joins the pool.
 * Keys are walked in document order and the first problem is reported, so the same file always gives the
 * same message. Unknown keys are errors: a misspelt optional key would otherwise silently keep its default.
 */
public final class AgentConfigLoader {
    static final List<String> ROOT_KEYS = List.of("pool", "host", "zookeeper", "fencing", "restart", "hypervisor", "loop", "heartbeat", "health",
            "migration", "jolokia", "prometheus");
    static final List<String> HOST_KEYS = List.of("name", "capacity");
    static final List<String> CAPACITY_KEYS = List.of("memory-mib", "vcpus");
    static final List<String> ZOOKEEPER_KEYS = List.of("connect", "session-timeout-ms", "connection-timeout-ms");
    static final List<String> FENCING_KEYS = List.of("stop-deadline-ms", "safety-margin-ms", "guard");
    static final List<String> HEARTBEAT_KEYS = List.of("device", "interval-ms", "timeout-ms");
    static final List<String> RESTART_KEYS = List.of("max-restarts", "window-seconds", "max-relocations");
    static final List<String> HYPERVISOR_KEYS = List.of("driver", "sim", "qemu", "libvirt");
    static final List<String> LIBVIRT_KEYS = List.of("uri", "virsh", "run-directory", "pid-directory",
            "event-restart-min-ms", "event-restart-max-ms", "poll-interval-ms", "stop-timeout-ms", "command-timeout-ms");
    static final List<String> QEMU_KEYS = List.of("binary", "run-dir", "stop-timeout-ms", "start-timeout-ms");
    static final List<String> SIM_KEYS = List.of("shared-dir", "state-dir");
    static final List<String> LOOP_KEYS = List.of("interval-ms");

    static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private AgentConfigLoader() {}

    public static AgentConfig load(Path file) throws ConfigException {
        JsonNode document;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            document = MAPPER.readTree(reader);
        } catch (JacksonException e) {
            throw new ConfigException(file, "not valid YAML" + problem(e), e);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "cannot read: no such file", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException(file, "cannot read: permission denied", e);
        } catch (IOException e) {
            throw new ConfigException(file, "cannot read: " + e, e);
        }
        try {
            return config(document);
        } catch (InvalidInputException e) {
            throw new ConfigException(file, e);
        }
    }

    /**
     * SnakeYAML's message without its source snippets: "problem\n in 'reader', line 3, column 9:\n  snippet..."
     * becomes "problem at line 3, column 9". Jackson's own messages get the parser's location instead.
     */
    static String problem(JacksonException e) {
        String message = String.valueOf(e.getOriginalMessage());
        if (message.startsWith("Trailing token")) message = "a second document (after '---') is not accepted";
        List<String> parts = new ArrayList<>();
        for (String line : message.split("\n")) {
            if (line.startsWith(" in 'reader', ") && !parts.isEmpty()) {
                String at = line.substring(" in 'reader', ".length()).replaceAll(":$", "");
                parts.set(parts.size() - 1, parts.get(parts.size() - 1) + " at " + at);
            } else if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                parts.add(line.strip());
            }
        }
        String detail = String.join("; ", parts);
        JsonLocation location = e.getLocation();
        boolean located = detail.contains(" at line ") || location == null || location.getLineNr() < 1;
        return (located ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr()) + ": " + detail;
    }

    // ---------------------------------------------------------------- sections, in schema order

    static AgentConfig config(JsonNode node) {
        String pool = null;
        Host host = null;
        ZooKeeper zookeeper = null;
        Fencing fencing = null;
        Restart restart = null;
        HypervisorConfig hypervisor = null;
        Loop loop = null;
        Heartbeat heartbeat = null;
        io.vmha.core.HealthPolicy health = io.vmha.core.HealthPolicy.NONE;
        MigrationConfig migration = MigrationConfig.NONE;
        ObservabilityConfig.Jolokia jolokia = ObservabilityConfig.Jolokia.DISABLED;
        ObservabilityConfig.Prometheus prometheus = ObservabilityConfig.Prometheus.DISABLED;
        for (Map.Entry<String, JsonNode> e : mapping("(top level)", node, ROOT_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "pool" -> pool = name("pool", v);
                case "host" -> host = host(v);
                case "zookeeper" -> zookeeper = zookeeper(v);
                case "fencing" -> fencing = fencing(v);
                case "restart" -> restart = restart(v);
                case "hypervisor" -> hypervisor = hypervisor(v);
                case "loop" -> loop = loop(v);
                case "heartbeat" -> heartbeat = heartbeat(v);
                case "health" -> health = HealthConfigLoader.health(v);
                case "migration" -> migration = MigrationConfigLoader.migration(v);
                case "jolokia" -> jolokia = ObservabilityConfigLoader.jolokia(v);
                case "prometheus" -> prometheus = ObservabilityConfigLoader.prometheus(v);
                default -> throw unknown(e.getKey(), v, ROOT_KEYS);
            }
        }
        if (pool == null) throw missing("pool", Names.RULE);
        // An absent section is read as an empty one: defaults, or a "missing" error for its required keys.
        return new AgentConfig(pool, host != null ? host : host(null), zookeeper != null ? zookeeper : zookeeper(null),
                fencing != null ? fencing : Fencing.DEFAULTS, restart != null ? restart : Restart.DEFAULTS,
                hypervisor != null ? hypervisor : hypervisor(null), loop != null ? loop : Loop.DEFAULTS,
                heartbeat != null ? heartbeat : Heartbeat.NONE, health, migration, new ObservabilityConfig(jolokia, prometheus));
    }

    private static Host host(JsonNode node) {
        String name = null;
        HostCapacity capacity = null;
        for (Map.Entry<String, JsonNode> e : mapping("host", node, HOST_KEYS)) {
            switch (e.getKey()) {
                case "name" -> name = name("host.name", e.getValue());
                case "capacity" -> capacity = capacity(e.getValue());
                default -> throw unknown("host." + e.getKey(), e.getValue(), HOST_KEYS);
            }
        }
        if (name == null) throw missing("host.name", Names.RULE);
        return new Host(name, capacity != null ? capacity : capacity(null));
    }

    private static HostCapacity capacity(JsonNode node) {
        Long memoryMib = null;
        Integer vcpus = null;
        for (Map.Entry<String, JsonNode> e : mapping("host.capacity", node, CAPACITY_KEYS)) {
            switch (e.getKey()) {
                case "memory-mib" -> memoryMib = integer(e.getValue(), Host.MEMORY_MIB);
                case "vcpus" -> vcpus = (int) integer(e.getValue(), Host.VCPUS);
                default -> throw unknown("host.capacity." + e.getKey(), e.getValue(), CAPACITY_KEYS);
            }
        }
        if (memoryMib == null) throw missing(Host.MEMORY_MIB.key(), Host.MEMORY_MIB.accepted());
        if (vcpus == null) throw missing(Host.VCPUS.key(), Host.VCPUS.accepted());
        return new HostCapacity(memoryMib, vcpus);
    }

    private static ZooKeeper zookeeper(JsonNode node) {
        String connect = null;
        int session = ZooKeeper.DEFAULT_SESSION_TIMEOUT_MS;
        int connection = ZooKeeper.DEFAULT_CONNECTION_TIMEOUT_MS;
        for (Map.Entry<String, JsonNode> e : mapping("zookeeper", node, ZOOKEEPER_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "connect" -> connect = ZooKeeper.checkConnect(text("zookeeper.connect", v, ZooKeeper.CONNECT_RULE));
                case "session-timeout-ms" -> session = (int) integer(v, ZooKeeper.SESSION_TIMEOUT_MS);
                case "connection-timeout-ms" -> connection = (int) integer(v, ZooKeeper.CONNECTION_TIMEOUT_MS);
                default -> throw unknown("zookeeper." + e.getKey(), v, ZOOKEEPER_KEYS);
            }
        }
        if (connect == null) throw missing("zookeeper.connect", ZooKeeper.CONNECT_RULE);
        return new ZooKeeper(connect, session, connection);
    }

    private static Fencing fencing(JsonNode node) {
        Fencing d = Fencing.DEFAULTS;
        long stop = d.stopDeadlineMs(), margin = d.safetyMarginMs();
        boolean guard = d.guard();
        for (Map.Entry<String, JsonNode> e : mapping("fencing", node, FENCING_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "stop-deadline-ms" -> stop = integer(v, Fencing.STOP_DEADLINE_MS);
                case "safety-margin-ms" -> margin = integer(v, Fencing.SAFETY_MARGIN_MS);
                case "guard" -> guard = bool("fencing.guard", v);
                default -> throw unknown("fencing." + e.getKey(), v, FENCING_KEYS);
            }
        }
        return new Fencing(stop, margin, guard);
    }

    private static Restart restart(JsonNode node) {
        Restart d = Restart.DEFAULTS;
        int restarts = d.maxRestarts(), window = d.windowSeconds(), relocations = d.maxRelocations();
        for (Map.Entry<String, JsonNode> e : mapping("restart", node, RESTART_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "max-restarts" -> restarts = (int) integer(v, Restart.MAX_RESTARTS);
                case "window-seconds" -> window = (int) integer(v, Restart.WINDOW_SECONDS);
                case "max-relocations" -> relocations = (int) integer(v, Restart.MAX_RELOCATIONS);
                default -> throw unknown("restart." + e.getKey(), v, RESTART_KEYS);
            }
        }
        return new Restart(restarts, window, relocations);
    }

    private static HypervisorConfig hypervisor(JsonNode node) {
        String driver = HypervisorConfig.SIM;
        SimConfig sim = null;
        QemuConfig qemu = null;
        LibvirtConfig libvirt = null;
        for (Map.Entry<String, JsonNode> e : mapping("hypervisor", node, HYPERVISOR_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "driver" -> driver = driver(v);
                case "sim" -> sim = sim(v);
                case "qemu" -> qemu = qemu(v);
                case "libvirt" -> libvirt = libvirt(v);
                default -> throw unknown("hypervisor." + e.getKey(), v, HYPERVISOR_KEYS);
            }
        }
        // The sim section is only required, and only read for defaults, when the sim driver is chosen.
        return new HypervisorConfig(driver, sim == null && HypervisorConfig.SIM.equals(driver) ? sim(null) : sim, qemu, libvirt);
    }

    private static String driver(JsonNode v) {
        String accepted = "one of " + VmSpec.DRIVERS;
        String driver = text("hypervisor.driver", v, accepted);
        if (!VmSpec.DRIVERS.contains(driver)) throw new InvalidInputException("hypervisor.driver", driver, accepted);
        return driver;
    }

    private static SimConfig sim(JsonNode node) {
        Path shared = null;
        Path state = SimConfig.DEFAULT_STATE_DIR;
        for (Map.Entry<String, JsonNode> e : mapping("hypervisor.sim", node, SIM_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "shared-dir" -> shared = path("hypervisor.sim.shared-dir", v);
                case "state-dir" -> state = path("hypervisor.sim.state-dir", v);
                default -> throw unknown("hypervisor.sim." + e.getKey(), v, SIM_KEYS);
            }
        }
        if (shared == null) throw missing("hypervisor.sim.shared-dir", SimConfig.PATH_RULE);
        return new SimConfig(shared, state);
    }

    private static final Limit QEMU_STOP_TIMEOUT_MS = new Limit("hypervisor.qemu.stop-timeout-ms", 100, 600_000, "milliseconds");
    private static final Limit QEMU_START_TIMEOUT_MS = new Limit("hypervisor.qemu.start-timeout-ms", 1_000, 600_000, "milliseconds");

    private static QemuConfig qemu(JsonNode node) {
        String binary = QemuConfig.DEFAULT_BINARY;
        Path runDir = HypervisorConfig.DEFAULT_QEMU_RUN_DIR;
        long stop = QemuConfig.DEFAULT_STOP_TIMEOUT_MILLIS;
        long start = QemuConfig.DEFAULT_START_TIMEOUT_MILLIS;
        for (Map.Entry<String, JsonNode> e : mapping("hypervisor.qemu", node, QEMU_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "binary" -> binary = text("hypervisor.qemu.binary", v, "a program name or absolute path");
                case "run-dir" -> runDir = path("hypervisor.qemu.run-dir", v);
                case "stop-timeout-ms" -> stop = integer(v, QEMU_STOP_TIMEOUT_MS);
                case "start-timeout-ms" -> start = integer(v, QEMU_START_TIMEOUT_MS);
                default -> throw unknown("hypervisor.qemu." + e.getKey(), v, QEMU_KEYS);
            }
        }
        return new QemuConfig(binary, runDir, stop, start);
    }

    private static final Limit ANY_MS = new Limit("hypervisor.libvirt.*-ms", 1, 3_600_000, "milliseconds");

    /** Values are range-checked by {@link LibvirtConfig} itself, which names each key. */
    private static LibvirtConfig libvirt(JsonNode node) {
        LibvirtConfig d = LibvirtConfig.defaults(HypervisorConfig.DEFAULT_LIBVIRT_RUN_DIR);
        String uri = d.uri(), virsh = d.virsh();
        Path run = d.runDirectory(), pid = d.pidDirectory();
        long restartMin = d.eventRestartMinMillis(), restartMax = d.eventRestartMaxMillis(), poll = d.pollIntervalMillis();
        long stop = d.stopTimeoutMillis(), command = d.commandTimeoutMillis();
        String p = LibvirtConfig.PREFIX;
        for (Map.Entry<String, JsonNode> e : mapping("hypervisor.libvirt", node, LIBVIRT_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "uri" -> uri = text(p + "uri", v, "a libvirt URI such as " + LibvirtConfig.DEFAULT_URI);
                case "virsh" -> virsh = text(p + "virsh", v, "the virsh binary");
                case "run-directory" -> run = path(p + "run-directory", v);
                case "pid-directory" -> pid = path(p + "pid-directory", v);
                case "event-restart-min-ms" -> restartMin = integer(v, ANY_MS.named(p + e.getKey()));
                case "event-restart-max-ms" -> restartMax = integer(v, ANY_MS.named(p + e.getKey()));
                case "poll-interval-ms" -> poll = integer(v, ANY_MS.named(p + e.getKey()));
                case "stop-timeout-ms" -> stop = integer(v, ANY_MS.named(p + e.getKey()));
                case "command-timeout-ms" -> command = integer(v, ANY_MS.named(p + e.getKey()));
                default -> throw unknown(p + e.getKey(), v, LIBVIRT_KEYS);
            }
        }
        return new LibvirtConfig(uri, virsh, run, pid, restartMin, restartMax, poll, stop, command);
    }

    private static Heartbeat heartbeat(JsonNode node) {
        Path device = null;
        long interval = Heartbeat.NONE.intervalMs(), timeout = Heartbeat.NONE.timeoutMs();
        for (Map.Entry<String, JsonNode> e : mapping("heartbeat", node, HEARTBEAT_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "device" -> device = path("heartbeat.device", v);
                case "interval-ms" -> interval = integer(v, Heartbeat.INTERVAL_MS);
                case "timeout-ms" -> timeout = integer(v, Heartbeat.TIMEOUT_MS);
                default -> throw unknown("heartbeat." + e.getKey(), v, HEARTBEAT_KEYS);
            }
        }
        return new Heartbeat(device, interval, timeout);
    }

    private static boolean bool(String field, JsonNode v) {
        if (v == null || !v.isBoolean()) throw new InvalidInputException(field, v == null ? null : v.asText(), "true or false");
        return v.booleanValue();
    }

    private static Loop loop(JsonNode node) {
        long interval = Loop.DEFAULTS.intervalMs();
        for (Map.Entry<String, JsonNode> e : mapping("loop", node, LOOP_KEYS)) {
            switch (e.getKey()) {
                case "interval-ms" -> interval = integer(e.getValue(), Loop.INTERVAL_MS);
                default -> throw unknown("loop." + e.getKey(), e.getValue(), LOOP_KEYS);
            }
        }
        return new Loop(interval);
    }
}
