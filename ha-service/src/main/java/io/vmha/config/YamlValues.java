package io.vmha.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.config.AgentConfig.SimConfig;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Reading one YAML value of an expected type; every failure names the dotted key and what it accepts. */
final class YamlValues {
    private static final String NAME_RULE = Names.RULE + " (quote a name that looks like a number)";

    private YamlValues() {}

    /** The entries of a section in document order; null (absent, or a key with nothing under it) is empty. */
    static Iterable<Map.Entry<String, JsonNode>> mapping(String field, JsonNode node, List<String> keys) {
        if (node == null || node.isMissingNode() || node.isNull()) return List.of();
        if (!node.isObject()) throw new InvalidInputException(field, shown(node), "a mapping with keys " + keys);
        return node.properties();
    }

    static long integer(JsonNode node, Limit limit) {
        if (!node.isIntegralNumber()) throw new InvalidInputException(limit.key(), shown(node), limit.accepted());
        if (!node.canConvertToLong()) throw new InvalidInputException(limit.key(), node.bigIntegerValue(), limit.accepted());
        return limit.check(node.longValue());
    }

    static String text(String field, JsonNode node, String accepted) {
        if (!node.isTextual()) throw new InvalidInputException(field, shown(node), "a string: " + accepted);
        return node.textValue();
    }

    static String name(String field, JsonNode node) {
        return Names.check(field, text(field, node, NAME_RULE));
    }

    static Path path(String field, JsonNode node) {
        return SimConfig.path(field, text(field, node, SimConfig.PATH_RULE));
    }

    static InvalidInputException unknown(String field, JsonNode value, List<String> keys) {
        String text = value.isValueNode() ? value.asText() : value.toString();
        return new InvalidInputException(field, text, "one of " + keys);
    }

    static InvalidInputException missing(String field, String accepted) {
        return new InvalidInputException(field, "(missing)", accepted);
    }

    /** A value for a message: strings stay strings (quoted), anything else prints as itself, unquoted. */
    static Object shown(JsonNode node) {
        if (node.isTextual()) return node.textValue();
        if (node.isNumber()) return node.numberValue();
        if (node.isBoolean()) return node.booleanValue();
        if (node.isNull()) return null;
        return new Object() {
            @Override public String toString() { return (node.isArray() ? "a list " : "a mapping ") + node; }
        };
    }
}
