package io.vmha.config;

import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The daemon's management endpoints: Jolokia (JMX over HTTP, always authenticated) and the Prometheus scrape
 * endpoint. Both are off unless their section is in the file; with a section they listen on loopback and on a
 * fixed well-known port by default. Port 0 picks a free port (tests, the demo); the URL actually bound is
 * published with the host's endpoints and shown by {@code vmha status}.
 */
public record ObservabilityConfig(Jolokia jolokia, Prometheus prometheus) {
    static final Limit PORT = new Limit("port", 0, 65535, "TCP port; 0 picks a free one");
    static final String ADDRESS_RULE = "an IP address or host name to listen on, e.g. 127.0.0.1 (loopback, the default) or 0.0.0.0";
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+");
    /** Both off: what a config without the sections gets (a method: a static field here would depend on class-init order). */
    public static ObservabilityConfig none() { return new ObservabilityConfig(Jolokia.DISABLED, Prometheus.DISABLED); }

    public ObservabilityConfig {
        if (jolokia == null) jolokia = new Jolokia(false, Jolokia.DEFAULT_ADDRESS, Jolokia.DEFAULT_PORT, null, null);
        if (prometheus == null) prometheus = new Prometheus(false, Jolokia.DEFAULT_ADDRESS, Prometheus.DEFAULT_PORT);
    }

    static String checkAddress(String field, String address) {
        if (address == null || !ADDRESS.matcher(address).matches()) throw new InvalidInputException(field, address, ADDRESS_RULE);
        return address;
    }

    /**
     * One Jolokia role: its user, the file holding its password (one line; kept out of this YAML so the config
     * may be world-readable), and its own Jolokia policy file. A policy file that is missing or unreadable stops
     * the daemon: vmha never falls back to Jolokia's allow-all default.
     */
    public record Role(String user, Path passwordFile, Path policy) {
        public Role {
            // The role's key prefix is not known here: the loader names "jolokia.<role>.user" itself on error.
            Names.check("jolokia user", user);
            if (passwordFile == null || !passwordFile.isAbsolute()) {
                throw new InvalidInputException("jolokia password-file", passwordFile, "an absolute path of a file holding the password");
            }
            if (policy == null || !policy.isAbsolute()) {
                throw new InvalidInputException("jolokia policy", policy, "an absolute path of a Jolokia policy XML file");
            }
        }
    }

    /** JMX over HTTP for consoles (hawtio) and scripts; two roles, each with its own credentials and policy. */
    public record Jolokia(boolean enabled, String address, int port, Role readOnly, Role operator) {
        public static final int DEFAULT_PORT = 8778;
        public static final String DEFAULT_ADDRESS = "127.0.0.1";
        public static final Jolokia DISABLED = new Jolokia(false, DEFAULT_ADDRESS, DEFAULT_PORT, null, null);

        public Jolokia {
            checkAddress("jolokia.address", address);
            PORT.named("jolokia.port").check(port);
            if (enabled) {
                if (readOnly == null) throw new InvalidInputException("jolokia.read-only", "(missing)", "user, password-file and policy of the read-only role");
                if (operator == null) throw new InvalidInputException("jolokia.operator", "(missing)", "user, password-file and policy of the operator role");
                if (readOnly.user().equals(operator.user())) {
                    throw new InvalidInputException("jolokia.operator.user", operator.user(), "a user other than the read-only role's");
                }
            }
        }
    }

    /** The Prometheus text-format endpoint ({@code /metrics}); no authentication, so loopback by default. */
    public record Prometheus(boolean enabled, String address, int port) {
        public static final int DEFAULT_PORT = 9464;
        public static final Prometheus DISABLED = new Prometheus(false, Jolokia.DEFAULT_ADDRESS, DEFAULT_PORT);

        public Prometheus {
            checkAddress("prometheus.address", address);
            PORT.named("prometheus.port").check(port);
        }
    }
}
