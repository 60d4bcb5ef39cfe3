package io.vmha.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.core.HealthAction;
import io.vmha.core.HealthPolicy;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.vmha.config.YamlValues.integer;
import static io.vmha.config.YamlValues.mapping;
import static io.vmha.config.YamlValues.missing;
import static io.vmha.config.YamlValues.shown;
import static io.vmha.config.YamlValues.text;
import static io.vmha.config.YamlValues.unknown;

/**
 * The {@code health:} section: NICs and the logical networks they carry, addresses to reach, heartbeat-disk write
 * latency. Errors name the list entry ({@code health.nics[0].name}); the core records then check what spans keys.
 */
final class HealthConfigLoader {
    static final List<String> HEALTH_KEYS = List.of("nics", "reachability", "disk-latency");
    static final List<String> NIC_KEYS = List.of("name", "networks", "action", "failures", "interval-ms");
    static final List<String> REACHABILITY_KEYS = List.of("address", "interval-seconds", "timeout-ms", "failures", "action");
    static final List<String> DISK_KEYS = List.of("warn-ms", "failures", "action");
    static final List<HealthAction> NIC_ACTIONS = List.of(HealthAction.values());
    static final List<HealthAction> HOST_ACTIONS = List.of(HealthAction.DEGRADE, HealthAction.EVACUATE);

    private HealthConfigLoader() {}

    static HealthPolicy health(JsonNode node) {
        List<HealthPolicy.Nic> nics = List.of();
        List<HealthPolicy.Reachability> reach = List.of();
        Optional<HealthPolicy.DiskLatency> disk = Optional.empty();
        for (Map.Entry<String, JsonNode> e : mapping("health", node, HEALTH_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "nics" -> nics = list("health.nics", v, HealthConfigLoader::nic);
                case "reachability" -> reach = list("health.reachability", v, HealthConfigLoader::reachability);
                case "disk-latency" -> disk = Optional.of(diskLatency(v));
                default -> throw unknown("health." + e.getKey(), v, HEALTH_KEYS);
            }
        }
        return new HealthPolicy(nics, reach, disk);
    }

    private interface Entry<T> {
        T read(String field, JsonNode node);
    }

    private static <T> List<T> list(String field, JsonNode node, Entry<T> entry) {
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) throw new InvalidInputException(field, shown(node), "a list of mappings");
        List<T> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) out.add(entry.read(field + "[" + i + "]", node.get(i)));
        return out;
    }

    private static HealthPolicy.Nic nic(String at, JsonNode node) {
        if (node == null || !node.isObject()) throw new InvalidInputException(at, shown(node), "a mapping with keys " + NIC_KEYS);
        String name = null;
        List<String> networks = List.of();
        HealthAction action = HealthPolicy.Nic.DEFAULT_ACTION;
        int failures = HealthPolicy.Nic.DEFAULT_FAILURES;
        long interval = HealthPolicy.Nic.DEFAULT_INTERVAL_MS;
        for (Map.Entry<String, JsonNode> e : mapping(at, node, NIC_KEYS)) {
            JsonNode v = e.getValue();
            String key = at + "." + e.getKey();
            switch (e.getKey()) {
                case "name" -> name = text(key, v, HealthPolicy.NIC_RULE);
                case "networks" -> networks = names(key, v);
                case "action" -> action = action(key, v, NIC_ACTIONS);
                case "failures" -> failures = (int) integer(v, new Limit(key, 1, 100, "consecutive readings"));
                case "interval-ms" -> interval = integer(v, new Limit(key, 50, 60000, "milliseconds"));
                default -> throw unknown(key, v, NIC_KEYS);
            }
        }
        if (name == null) throw missing(at + ".name", HealthPolicy.NIC_RULE);
        try {
            return new HealthPolicy.Nic(name, networks, action, failures, interval);
        } catch (InvalidInputException e) {
            throw located(at, e);
        }
    }

    private static HealthPolicy.Reachability reachability(String at, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(at, shown(node), "a mapping with keys " + REACHABILITY_KEYS);
        }
        String address = null;
        long interval = HealthPolicy.Reachability.DEFAULT_INTERVAL_MS;
        long timeout = HealthPolicy.Reachability.DEFAULT_TIMEOUT_MS;
        int failures = HealthPolicy.Reachability.DEFAULT_FAILURES;
        HealthAction action = HealthPolicy.Reachability.DEFAULT_ACTION;
        for (Map.Entry<String, JsonNode> e : mapping(at, node, REACHABILITY_KEYS)) {
            JsonNode v = e.getValue();
            String key = at + "." + e.getKey();
            switch (e.getKey()) {
                case "address" -> address = text(key, v, HealthPolicy.ADDRESS_RULE);
                case "interval-seconds" -> interval = 1000 * integer(v, new Limit(key, 1, 3600, "seconds"));
                case "timeout-ms" -> timeout = integer(v, new Limit(key, 10, 60000, "milliseconds"));
                case "failures" -> failures = (int) integer(v, new Limit(key, 1, 100, "consecutive probes"));
                case "action" -> action = action(key, v, HOST_ACTIONS);
                default -> throw unknown(key, v, REACHABILITY_KEYS);
            }
        }
        if (address == null) throw missing(at + ".address", HealthPolicy.ADDRESS_RULE);
        try {
            return new HealthPolicy.Reachability(address, interval, timeout, failures, action);
        } catch (InvalidInputException e) {
            throw located(at, e);
        }
    }

    private static HealthPolicy.DiskLatency diskLatency(JsonNode node) {
        HealthPolicy.DiskLatency d = HealthPolicy.DiskLatency.DEFAULTS;
        long warn = d.warnMs();
        int failures = d.failures();
        HealthAction action = d.action();
        for (Map.Entry<String, JsonNode> e : mapping("health.disk-latency", node, DISK_KEYS)) {
            JsonNode v = e.getValue();
            String key = "health.disk-latency." + e.getKey();
            switch (e.getKey()) {
                case "warn-ms" -> warn = integer(v, new Limit(key, 1, 60000, "milliseconds"));
                case "failures" -> failures = (int) integer(v, new Limit(key, 1, 100, "consecutive slot writes"));
                case "action" -> action = action(key, v, HOST_ACTIONS);
                default -> throw unknown(key, v, DISK_KEYS);
            }
        }
        return new HealthPolicy.DiskLatency(warn, failures, action);
    }

    private static HealthAction action(String field, JsonNode v, List<HealthAction> accepted) {
        List<String> names = accepted.stream().map(HealthAction::configName).toList();
        String rule = "one of " + names;
        String text = text(field, v, rule);
        for (HealthAction a : accepted) if (a.configName().equals(text)) return a;
        throw new InvalidInputException(field, text, rule);
    }

    private static List<String> names(String field, JsonNode v) {
        String rule = "a list of logical network names (" + Names.RULE + "), e.g. [biz, storage]";
        if (!v.isArray()) throw new InvalidInputException(field, shown(v), rule);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            String f = field + "[" + i + "]";
            out.add(Names.check(f, text(f, v.get(i), rule)));
        }
        return out;
    }

    /** A cross-key rule broken inside list entry {@code at}: say which entry, keep field, value and rule. */
    private static InvalidInputException located(String at, InvalidInputException e) {
        return new InvalidInputException(at + " (" + e.field() + ")", e.value(), e.accepted());
    }
}
