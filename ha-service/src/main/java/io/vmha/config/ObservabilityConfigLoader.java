package io.vmha.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmha.config.ObservabilityConfig.Jolokia;
import io.vmha.config.ObservabilityConfig.Prometheus;
import io.vmha.config.ObservabilityConfig.Role;
import io.vmha.core.InvalidInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.vmha.config.YamlValues.integer;
import static io.vmha.config.YamlValues.mapping;
import static io.vmha.config.YamlValues.missing;
import static io.vmha.config.YamlValues.name;
import static io.vmha.config.YamlValues.path;
import static io.vmha.config.YamlValues.text;
import static io.vmha.config.YamlValues.unknown;

/** The {@code jolokia:} and {@code prometheus:} sections, read and written. */
final class ObservabilityConfigLoader {
    static final List<String> JOLOKIA_KEYS = List.of("enabled", "address", "port", "read-only", "operator");
    static final List<String> ROLE_KEYS = List.of("user", "password-file", "policy");
    static final List<String> PROMETHEUS_KEYS = List.of("enabled", "address", "port");

    private ObservabilityConfigLoader() {}

    static Jolokia jolokia(JsonNode node) {
        boolean enabled = true; // a section written out means "on"; enabled: false keeps it for later
        String address = Jolokia.DEFAULT_ADDRESS;
        int port = Jolokia.DEFAULT_PORT;
        Role readOnly = null, operator = null;
        for (Map.Entry<String, JsonNode> e : mapping("jolokia", node, JOLOKIA_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "enabled" -> enabled = bool("jolokia.enabled", v);
                case "address" -> address = ObservabilityConfig.checkAddress("jolokia.address",
                        text("jolokia.address", v, ObservabilityConfig.ADDRESS_RULE));
                case "port" -> port = (int) integer(v, ObservabilityConfig.PORT.named("jolokia.port"));
                case "read-only" -> readOnly = role("jolokia.read-only", v);
                case "operator" -> operator = role("jolokia.operator", v);
                default -> throw unknown("jolokia." + e.getKey(), v, JOLOKIA_KEYS);
            }
        }
        if (enabled && readOnly == null) throw missing("jolokia.read-only", "a mapping with keys " + ROLE_KEYS);
        if (enabled && operator == null) throw missing("jolokia.operator", "a mapping with keys " + ROLE_KEYS);
        return new Jolokia(enabled, address, port, readOnly, operator);
    }

    private static Role role(String prefix, JsonNode node) {
        String user = null;
        Path password = null, policy = null;
        for (Map.Entry<String, JsonNode> e : mapping(prefix, node, ROLE_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "user" -> user = name(prefix + ".user", v);
                case "password-file" -> password = path(prefix + ".password-file", v);
                case "policy" -> policy = path(prefix + ".policy", v);
                default -> throw unknown(prefix + "." + e.getKey(), v, ROLE_KEYS);
            }
        }
        if (user == null) throw missing(prefix + ".user", "the user name of this role");
        if (password == null) throw missing(prefix + ".password-file", "an absolute path of a file holding the password");
        if (policy == null) throw missing(prefix + ".policy", "an absolute path of a Jolokia policy XML file");
        return new Role(user, password, policy);
    }

    static Prometheus prometheus(JsonNode node) {
        boolean enabled = true;
        String address = Jolokia.DEFAULT_ADDRESS;
        int port = Prometheus.DEFAULT_PORT;
        for (Map.Entry<String, JsonNode> e : mapping("prometheus", node, PROMETHEUS_KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "enabled" -> enabled = bool("prometheus.enabled", v);
                case "address" -> address = ObservabilityConfig.checkAddress("prometheus.address",
                        text("prometheus.address", v, ObservabilityConfig.ADDRESS_RULE));
                case "port" -> port = (int) integer(v, ObservabilityConfig.PORT.named("prometheus.port"));
                default -> throw unknown("prometheus." + e.getKey(), v, PROMETHEUS_KEYS);
            }
        }
        return new Prometheus(enabled, address, port);
    }

    private static boolean bool(String field, JsonNode v) {
        if (v == null || !v.isBoolean()) throw new InvalidInputException(field, v == null ? null : v.asText(), "true or false");
        return v.booleanValue();
    }

    /** Writes the sections that are not the defaults (absent = disabled), so a written file reads back equal. */
    static void write(ObjectNode root, ObservabilityConfig o) {
        Jolokia j = o.jolokia();
        if (j.enabled() || j.readOnly() != null) {
            ObjectNode node = root.putObject("jolokia");
            node.put("enabled", j.enabled());
            node.put("address", j.address());
            node.put("port", j.port());
            writeRole(node, "read-only", j.readOnly());
            writeRole(node, "operator", j.operator());
        }
        Prometheus p = o.prometheus();
        if (p.enabled()) {
            ObjectNode node = root.putObject("prometheus");
            node.put("enabled", true);
            node.put("address", p.address());
            node.put("port", p.port());
        }
    }

    private static void writeRole(ObjectNode parent, String key, Role role) {
        if (role == null) return;
        ObjectNode node = parent.putObject(key);
        node.put("user", role.user());
        node.put("password-file", role.passwordFile().toString());
        node.put("policy", role.policy().toString());
    }
}
