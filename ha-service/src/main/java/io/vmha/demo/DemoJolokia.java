package io.vmha.demo;

import io.vmha.config.ObservabilityConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo pool's Jolokia roles: a random password per role (files readable by the owner only), the policy files
 * vmha ships, and one credentials file (JSON) that tools and tests read. Every demo host listens on loopback,
 * on a port of its own choosing; the URLs come from the hosts' published endpoints.
 */
final class DemoJolokia {
    static final String READ_ONLY_USER = "monitor";
    static final String OPERATOR_USER = "operator";

    private final Path dir;
    private final ObservabilityConfig.Role readOnly;
    private final ObservabilityConfig.Role operator;

    private DemoJolokia(Path dir, ObservabilityConfig.Role readOnly, ObservabilityConfig.Role operator) {
        this.dir = dir;
        this.readOnly = readOnly;
        this.operator = operator;
    }

    static DemoJolokia create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> credentials = new LinkedHashMap<>();
        ObservabilityConfig.Role ro = role(dir, "readonly", READ_ONLY_USER, credentials, "read-only");
        ObservabilityConfig.Role op = role(dir, "operator", OPERATOR_USER, credentials, "operator");
        Path file = dir.resolve("credentials.json");
        Files.writeString(file, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(credentials));
        restrict(file);
        return new DemoJolokia(dir, ro, op);
    }

    private static ObservabilityConfig.Role role(Path dir, String file, String user, Map<String, Object> credentials,
                                                 String key) throws IOException {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Path passwordFile = dir.resolve(file + ".password");
        Files.writeString(passwordFile, password + "\n");
        restrict(passwordFile);
        Path policy = dir.resolve("jolokia-" + file + ".xml");
        try (InputStream in = DemoJolokia.class.getResourceAsStream("/io/vmha/jmx/jolokia-" + file + ".xml")) {
            if (in == null) throw new IOException("policy jolokia-" + file + ".xml missing from the vmha jar");
            Files.copy(in, policy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        credentials.put(key, Map.of("user", user, "password", password, "policy", policy.toString()));
        return new ObservabilityConfig.Role(user, passwordFile, policy);
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX filesystem: leave the defaults
        }
    }

    /** Loopback, free ports, both roles: what every demo host runs with. */
    ObservabilityConfig config() {
        return new ObservabilityConfig(new ObservabilityConfig.Jolokia(true, "127.0.0.1", 0, readOnly, operator),
                new ObservabilityConfig.Prometheus(true, "127.0.0.1", 0));
    }

    Path credentials() { return dir.resolve("credentials.json"); }
}
