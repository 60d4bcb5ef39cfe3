package io.vmha.coordination;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmha.core.HostRecord;
import io.vmha.core.VmSpec;
import java.io.IOException;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one JSON codec of the records stored in ZooKeeper. The records validate in their constructors,
 * so a bad node surfaces here as a {@link CorruptNodeException} naming the path, never as a crash.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            // A newer daemon may add a field during a rolling upgrade: older ones must still read the node.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // A missing epoch or version must not silently become 0: that would forge a fencing token.
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addMixIn(io.vmha.core.VmSpec.class, StoredDefaults.VmSpecMixin.class)
            .injectableValues(StoredDefaults.values())
            .build();

    /**
     * Fields added after a record was first stored, with the value an older writer meant by leaving them out.
     * Strict decoding (missing creator properties fail) stays on for everything else, the epoch above all.
     */
    private static final Map<Class<?>, Map<String, JsonNode>> ADDED_LATER = Map.of(
            HostRecord.class, Map.of("alarms", JsonNodeFactory.instance.arrayNode(),
                    "networks", JsonNodeFactory.instance.arrayNode(),
                    "driver", JsonNodeFactory.instance.textNode(HostRecord.DEFAULT_DRIVER),
                    "tunnel", JsonNodeFactory.instance.textNode(""),
                    "migrations", JsonNodeFactory.instance.arrayNode()),
            io.vmha.core.Ownership.class, Map.of("migration", JsonNodeFactory.instance.nullNode()),
            VmSpec.class, Map.of("networks", JsonNodeFactory.instance.arrayNode()));

    private Json() {}

    /** Serialise a record; our records always serialise, so a failure is a programming error. */
    public static byte[] encode(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Decode the data of the node at {@code path}, or explain why it is not a {@code type}. */
    public static <T> T decode(String path, byte[] data, Class<T> type) throws CorruptNodeException {
        String expected = "a JSON " + type.getSimpleName();
        if (data == null || data.length == 0) throw new CorruptNodeException(path, "empty; expected " + expected, null);
        try {
            T value = read(data, type);
            if (value == null) throw new CorruptNodeException(path, "null; expected " + expected, null);
            return value;
        } catch (ValueInstantiationException e) {
            // The record's constructor refused a value: its message names the field and what is accepted.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CorruptNodeException(path, cause.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new CorruptNodeException(path, "not " + expected + " (" + firstLine(e.getMessage()) + "); data: "
                    + preview(data), e);
        }
    }

    /**
     * Decode a child node whose name must equal the record's own name ({@code vms/<vm>} holds VM
     * {@code <vm>}). On any problem, hands a one-line description to {@code problems} and returns empty,
     * so that one corrupt node is skipped instead of stopping the whole pool view.
     */
    public static <T> Optional<T> decodeNamed(String path, byte[] data, Class<T> type, Function<T, String> nameOf,
                                              Consumer<String> problems) {
        try {
            T value = decode(path, data, type);
            String node = PoolPaths.nodeName(path);
            if (!node.equals(nameOf.apply(value))) {
                throw new CorruptNodeException(path, "holds \"" + nameOf.apply(value) + "\" but the node is named \""
                        + node + "\"", null);
            }
            return Optional.of(value);
        } catch (CorruptNodeException e) {
            problems.accept(e.getMessage() + " (skipped)");
            return Optional.empty();
        }
    }

    private static <T> T read(byte[] data, Class<T> type) throws IOException {
        Map<String, JsonNode> defaults = ADDED_LATER.get(type);
        if (defaults == null) return MAPPER.readValue(data, type);
        JsonNode tree = MAPPER.readTree(data);
        if (tree instanceof ObjectNode object) defaults.forEach((field, value) -> {
            if (!object.has(field)) object.set(field, value.deepCopy());
        });
        return MAPPER.treeToValue(tree, type);
    }

    static PoolEvent decodeEvent(String path, byte[] data) throws CorruptNodeException {
        PoolEvent.Body body = decode(path, data, PoolEvent.Body.class);
        return new PoolEvent(PoolPaths.eventSequence(PoolPaths.nodeName(path)), body.wallMillis(), body.source(),
                body.message());
    }

    private static String firstLine(String s) {
        if (s == null) return "no detail";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String preview(byte[] data) {
        String s = new String(data, 0, Math.min(data.length, 80), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        return "\"" + s + (data.length > 80 ? "...\"" : "\"");
    }
}
