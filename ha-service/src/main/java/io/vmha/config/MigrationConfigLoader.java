package io.vmha.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.vmha.config.YamlValues.integer;
import static io.vmha.config.YamlValues.mapping;
import static io.vmha.config.YamlValues.path;
import static io.vmha.config.YamlValues.text;
import static io.vmha.config.YamlValues.unknown;

/** Reads the {@code migration:} section (see {@link MigrationConfig}). */
final class MigrationConfigLoader {
    static final List<String> KEYS = List.of("pki-dir", "listen", "advertise", "max-per-host", "timeout-ms",
            "bandwidth-mib", "max-downtime-ms");

    private MigrationConfigLoader() {}

    static MigrationConfig migration(JsonNode node) {
        MigrationConfig d = MigrationConfig.NONE;
        Path pki = null;
        String listen = d.listen(), advertise = "";
        long perHost = d.maxPerHost(), timeout = d.timeoutMs(), bandwidth = d.bandwidthMib(), downtime = d.maxDowntimeMs();
        for (Map.Entry<String, JsonNode> e : mapping("migration", node, KEYS)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "pki-dir" -> pki = path("migration.pki-dir", v);
                case "listen" -> listen = text("migration.listen", v, MigrationConfig.ADDRESS_RULE);
                case "advertise" -> advertise = text("migration.advertise", v, MigrationConfig.ADVERTISE_RULE);
                case "max-per-host" -> perHost = integer(v, MigrationConfig.MAX_PER_HOST);
                case "timeout-ms" -> timeout = integer(v, MigrationConfig.TIMEOUT_MS);
                case "bandwidth-mib" -> bandwidth = integer(v, MigrationConfig.BANDWIDTH_MIB);
                case "max-downtime-ms" -> downtime = integer(v, MigrationConfig.MAX_DOWNTIME_MS);
                default -> throw unknown("migration." + e.getKey(), v, KEYS);
            }
        }
        return new MigrationConfig(pki, listen, advertise, (int) perHost, timeout, bandwidth, downtime);
    }
}
