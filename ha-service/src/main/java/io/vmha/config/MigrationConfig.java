package io.vmha.config;

import io.vmha.core.InvalidInputException;
import io.vmha.core.MigrationPolicy;

import java.nio.file.Path;

/**
 * The {@code migration:} section: where this host's TLS tunnel listens, which pool PKI it uses, and the pool's
 * migration limits (the master applies its own copy). Without {@code pki-dir} the host neither sends nor receives
 * live migrations: moves are a stop and a cold start.
 *
 * @param pkiDir    the directory {@code vmha pki init/issue} wrote (ca.crt, hosts/HOST.crt, hosts/HOST.key)
 * @param listen    "address:port" the tunnel binds
 * @param advertise the address other hosts dial (the port is the listen port); "" means the listen address, or
 *                  this host's name when it listens on a wildcard address
 */
public record MigrationConfig(Path pkiDir, String listen, String advertise, int maxPerHost, long timeoutMs,
                              long bandwidthMib, long maxDowntimeMs) {
    static final String ADDRESS_RULE = "address:port, e.g. 0.0.0.0:7450 or 10.0.0.5:7450 (port 0: any free port)";
    static final String ADVERTISE_RULE = "a host name or IP address other hosts reach this one at, e.g. host1.example or 10.0.0.5"
            + " (the port is the listen port)";
    static final Limit MAX_PER_HOST = new Limit("migration.max-per-host", 1, 64, "migrations at once per host");
    static final Limit TIMEOUT_MS = new Limit("migration.timeout-ms", 1000, 86_400_000, "milliseconds");
    static final Limit BANDWIDTH_MIB = new Limit("migration.bandwidth-mib", 0, 1_000_000, "MiB/s, 0: no cap");
    static final Limit MAX_DOWNTIME_MS = new Limit("migration.max-downtime-ms", 0, 600_000, "milliseconds, 0: the hypervisor's default");
    public static final MigrationConfig NONE = new MigrationConfig(null, "0.0.0.0:7450", "", 2, 300_000, 0, 0);

    public MigrationConfig {
        if (pkiDir != null && !pkiDir.isAbsolute()) throw new InvalidInputException("migration.pki-dir", pkiDir, "an absolute path");
        port("migration.listen", listen);
        advertise = advertise == null ? "" : advertise;
        if (!advertise.isEmpty() && (advertise.contains(" ") || advertise.contains("/") || advertise.endsWith(":"))) {
            throw new InvalidInputException("migration.advertise", advertise, ADVERTISE_RULE);
        }
        MAX_PER_HOST.check(maxPerHost);
        TIMEOUT_MS.check(timeoutMs);
        BANDWIDTH_MIB.check(bandwidthMib);
        MAX_DOWNTIME_MS.check(maxDowntimeMs);
    }

    public boolean configured() { return pkiDir != null; }

    public MigrationPolicy policy() {
        return new MigrationPolicy(maxPerHost, timeoutMs, bandwidthMib << 20, maxDowntimeMs);
    }

    public String listenHost() { return listen.substring(0, listen.lastIndexOf(':')); }

    public int listenPort() { return port("migration.listen", listen); }

    /** The port of "address:port", or an error naming the key. */
    static int port(String key, String value) {
        int colon = value == null ? -1 : value.lastIndexOf(':');
        if (colon <= 0) throw new InvalidInputException(key, value, ADDRESS_RULE);
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 0 || port > 65535) throw new InvalidInputException(key, value, ADDRESS_RULE);
            return port;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(key, value, ADDRESS_RULE);
        }
    }
}
