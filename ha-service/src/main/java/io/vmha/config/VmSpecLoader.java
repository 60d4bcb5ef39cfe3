package io.vmha.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.core.GuestHeartbeat;
import io.vmha.core.HealthProbe;
import io.vmha.core.InvalidInputException;
import io.vmha.core.RestartOverride;
import io.vmha.core.Sensitivity;
import io.vmha.core.VmHealth;
import io.vmha.core.VmSpec;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static io.vmha.config.YamlValues.mapping;
import static io.vmha.config.YamlValues.missing;
import static io.vmha.config.YamlValues.shown;
import static io.vmha.config.YamlValues.text;
import static io.vmha.config.YamlValues.unknown;

/**
 * Reads a VM spec file ({@code vmha vm add --spec FILE.yaml}): name, size, driver, HA and the health policy.
 * Like the agent's file, an unknown key is an error naming it (a misspelt {@code failure-seconds} would
 * otherwise silently keep the preset), and every bad value names its dotted key, e.g.
 * {@code vm.health.probes[1].timeout-seconds}. Ranges are the records' own checks, so file and ZooKeeper agree.
 */
public final class VmSpecLoader {
    static final List<String> ROOT_KEYS = List.of("name", "memory-mib", "vcpus", "driver", "params", "ha", "prefer", "health");
    static final List<String> HEALTH_KEYS = List.of("guest-heartbeat", "probes", "restart");
    static final List<String> GUEST_KEYS = List.of("enabled", "sensitivity", "failure-seconds", "min-uptime-seconds",
            "max-resets", "reset-window-seconds", "ping-interval-ms");
    static final List<String> PROBE_KEYS = List.of("tcp", "http", "exec", "expect-status", "interval-seconds",
            "timeout-seconds", "failure-threshold", "action");
    static final List<String> RESTART_KEYS = List.of("max-restarts", "window-seconds", "max-relocations",
            "backoff-seconds", "backoff-max-seconds");

    private VmSpecLoader() {}

    public static VmSpec load(Path file) throws ConfigException {
        JsonNode document;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            document = AgentConfigLoader.MAPPER.readTree(reader);
        } catch (JacksonException e) {
            throw new ConfigException(file, "not valid YAML" + AgentConfigLoader.problem(e), e);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "cannot read: no such file", e);
        } catch (IOException e) {
            throw new ConfigException(file, "cannot read: " + e.getMessage(), e);
        }
        try {
            return spec(document);
        } catch (InvalidInputException e) {
            throw new ConfigException(file, e);
        }
    }

    static VmSpec spec(JsonNode node) {
        String name = null;
        Long memory = null;
        int vcpus = 1;
        String driver = "sim";
        Map<String, String> params = new TreeMap<>();
        boolean ha = true;
        List<String> prefer = new ArrayList<>();
        VmHealth health = VmHealth.DEFAULT;
        for (Map.Entry<String, JsonNode> e : mapping("(top level)", node, ROOT_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "name" -> name = text("vm.name", v, "the VM's name");
                case "memory-mib" -> memory = (long) integer("vm.memory-mib", v);
                case "vcpus" -> vcpus = integer("vm.vcpus", v);
                case "driver" -> driver = text("vm.driver", v, "one of " + VmSpec.DRIVERS);
                case "params" -> {
                    for (Map.Entry<String, JsonNode> p : mapping("vm.params", v, List.of("any key"))) {
                        params.put(p.getKey(), scalar("vm.params." + p.getKey(), p.getValue()));
                    }
                }
                case "ha" -> ha = bool("vm.ha", v);
                case "prefer" -> prefer = strings("vm.prefer", v);
                case "health" -> health = health(v);
                default -> throw unknown(e.getKey(), v, ROOT_KEYS);
            }
        }
        if (name == null) throw missing("vm.name", "the VM's name");
        if (memory == null) throw missing("vm.memory-mib", "memory in MiB");
        return new VmSpec(name, memory, vcpus, driver, params, ha, prefer, health);
    }

    static VmHealth health(JsonNode node) {
        GuestHeartbeat guest = GuestHeartbeat.OFF;
        List<HealthProbe> probes = new ArrayList<>();
        RestartOverride restart = null;
        for (Map.Entry<String, JsonNode> e : mapping("vm.health", node, HEALTH_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "guest-heartbeat" -> guest = guest(v);
                case "probes" -> {
                    if (!v.isArray()) throw new InvalidInputException("vm.health.probes", shown(v), "a list of probes");
                    for (int i = 0; i < v.size(); i++) probes.add(probe("vm.health.probes[" + i + "]", v.get(i)));
                }
                case "restart" -> restart = restart(v);
                default -> throw unknown("vm.health." + e.getKey(), v, HEALTH_KEYS);
            }
        }
        return new VmHealth(guest, probes, restart);
    }

    private static GuestHeartbeat guest(JsonNode node) {
        String f = GuestHeartbeat.FIELD;
        boolean enabled = true; // writing the section means wanting it, unless it says enabled: false
        Sensitivity sensitivity = Sensitivity.MEDIUM;
        Integer failure = null;
        Integer uptime = null;
        Integer resets = null;
        Integer window = null;
        long ping = GuestHeartbeat.DEFAULT_PING_INTERVAL_MILLIS;
        for (Map.Entry<String, JsonNode> e : mapping(f, node, GUEST_KEYS)) {
            JsonNode v = e.getValue();
            String key = f + "." + e.getKey();
            switch (e.getKey()) {
                case "enabled" -> enabled = bool(key, v);
                case "sensitivity" -> sensitivity = Sensitivity.parse(key, text(key, v, "low, medium or high"));
                case "failure-seconds" -> failure = integer(key, v);
                case "min-uptime-seconds" -> uptime = integer(key, v);
                case "max-resets" -> resets = integer(key, v);
                case "reset-window-seconds" -> window = integer(key, v);
                case "ping-interval-ms" -> ping = integer(key, v);
                default -> throw unknown(key, v, GUEST_KEYS);
            }
        }
        return new GuestHeartbeat(enabled, sensitivity, failure, uptime, resets, window, ping);
    }

    private static HealthProbe probe(String f, JsonNode node) {
        HealthProbe.Kind kind = null;
        String target = "";
        List<String> command = List.of();
        int status = HealthProbe.DEFAULT_EXPECT_STATUS;
        int interval = HealthProbe.DEFAULT_INTERVAL_SECONDS;
        int timeout = HealthProbe.DEFAULT_TIMEOUT_SECONDS;
        int threshold = HealthProbe.DEFAULT_FAILURE_THRESHOLD;
        HealthProbe.Action action = HealthProbe.Action.RESET;
        if (node == null || !node.isObject()) throw new InvalidInputException(f, shown(node), "a mapping with one of tcp, http, exec");
        for (Map.Entry<String, JsonNode> e : mapping(f, node, PROBE_KEYS)) {
            JsonNode v = e.getValue();
            String key = f + "." + e.getKey();
            switch (e.getKey()) {
                case "tcp", "http", "exec" -> {
                    if (kind != null) throw new InvalidInputException(key, shown(v), "only one of tcp, http, exec per probe");
                    kind = HealthProbe.Kind.valueOf(e.getKey().toUpperCase(Locale.ROOT));
                    if (kind == HealthProbe.Kind.EXEC) command = strings(key, v);
                    else target = text(key, v, kind == HealthProbe.Kind.TCP ? "HOST:PORT" : "an http:// or https:// URL");
                }
                case "expect-status" -> status = integer(key, v);
                case "interval-seconds" -> interval = integer(key, v);
                case "timeout-seconds" -> timeout = integer(key, v);
                case "failure-threshold" -> threshold = integer(key, v);
                case "action" -> {
                    String a = text(key, v, "reset or relocate");
                    if (!a.equals("reset") && !a.equals("relocate")) throw new InvalidInputException(key, a, "reset or relocate");
                    action = HealthProbe.Action.valueOf(a.toUpperCase(Locale.ROOT));
                }
                default -> throw unknown(key, v, PROBE_KEYS);
            }
        }
        if (kind == null) throw missing(f + ".tcp", "one of tcp: HOST:PORT, http: URL, exec: [argv]");
        return new HealthProbe(kind, target, status, command, interval, timeout, threshold, action);
    }

    private static RestartOverride restart(JsonNode node) {
        String f = RestartOverride.FIELD;
        Map<String, Integer> v = new TreeMap<>(Map.of("max-restarts", 3, "window-seconds", 600, "max-relocations", 2,
                "backoff-seconds", 0, "backoff-max-seconds", 300));
        for (Map.Entry<String, JsonNode> e : mapping(f, node, RESTART_KEYS)) {
            if (!RESTART_KEYS.contains(e.getKey())) throw unknown(f + "." + e.getKey(), e.getValue(), RESTART_KEYS);
            v.put(e.getKey(), integer(f + "." + e.getKey(), e.getValue()));
        }
        int backoff = v.get("backoff-seconds");
        int cap = node != null && node.has("backoff-max-seconds") ? v.get("backoff-max-seconds") : Math.max(backoff, 300);
        return new RestartOverride(v.get("max-restarts"), v.get("window-seconds"), v.get("max-relocations"), backoff, cap);
    }

    // ---------------------------------------------------------------- values

    private static int integer(String field, JsonNode v) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InvalidInputException(field, shown(v), "an integer");
        }
        return v.intValue();
    }

    private static boolean bool(String field, JsonNode v) {
        if (v == null || !v.isBoolean()) throw new InvalidInputException(field, shown(v), "true or false");
        return v.booleanValue();
    }

    private static String scalar(String field, JsonNode v) {
        if (v == null || !v.isValueNode() || v.isNull()) throw new InvalidInputException(field, shown(v), "a string or number");
        return v.asText();
    }

    private static List<String> strings(String field, JsonNode v) {
        if (v == null || !v.isArray()) throw new InvalidInputException(field, shown(v), "a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) out.add(text(field, item, "a list of strings"));
        return out;
    }
}
