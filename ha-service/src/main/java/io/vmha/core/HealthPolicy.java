package io.vmha.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a host watches about itself beyond ZooKeeper membership (a NIC's link, an address it must reach, its
 * heartbeat-disk write latency), and what a failure of each does. {@link #NONE}: nothing is watched and the host
 * provides no logical network.
 */
public record HealthPolicy(List<Nic> nics, List<Reachability> reachability, Optional<DiskLatency> diskLatency) {
    public static final HealthPolicy NONE = new HealthPolicy(List.of(), List.of(), Optional.empty());
    /** Linux interface names: at most 15 bytes, no '/', no whitespace, no ':' (IFNAMSIZ and dev_valid_name). */
    private static final Pattern NIC_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");
    public static final String NIC_RULE = "a Linux interface name: 1 to 15 letters, digits, '_', '.', '@' or '-'";
    /** An IPv4/IPv6 literal or a DNS name: checked for shape only, never resolved while reading the config. */
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,252}|[0-9A-Fa-f:.]{2,45}");
    public static final String ADDRESS_RULE = "an IPv4 or IPv6 address or a DNS name, e.g. 10.0.0.1";

    /** One NIC and the logical networks it carries; down for {@code failures} readings in a row = failed. */
    public record Nic(String name, List<String> networks, HealthAction action, int failures, long intervalMs) {
        public static final HealthAction DEFAULT_ACTION = HealthAction.NETWORKS;
        public static final int DEFAULT_FAILURES = 2;
        public static final long DEFAULT_INTERVAL_MS = 500;

        public Nic {
            if (name == null || !NIC_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
                throw new InvalidInputException("health.nics.name", name, NIC_RULE);
            }
            networks = sortedNames("health.nics." + name + ".networks", networks);
            if (action == null) action = DEFAULT_ACTION;
            if (action == HealthAction.NETWORKS && networks.isEmpty()) {
                throw new InvalidInputException("health.nics." + name + ".networks", "[]",
                        "at least one logical network name (or action degrade or evacuate)");
            }
            checkFailures("health.nics." + name + ".failures", failures);
            if (intervalMs < 50 || intervalMs > 60_000) {
                throw new InvalidInputException("health.nics." + name + ".interval-ms", intervalMs, "50 to 60000 (milliseconds)");
            }
        }

        public Nic(String name, List<String> networks) {
            this(name, networks, DEFAULT_ACTION, DEFAULT_FAILURES, DEFAULT_INTERVAL_MS);
        }
    }

    /** An address this host must reach (its gateway, a storage head); probed every interval with a timeout. */
    public record Reachability(String address, long intervalMs, long timeoutMs, int failures, HealthAction action) {
        public static final HealthAction DEFAULT_ACTION = HealthAction.DEGRADE;
        public static final int DEFAULT_FAILURES = 3;
        public static final long DEFAULT_INTERVAL_MS = 5_000;
        public static final long DEFAULT_TIMEOUT_MS = 1_000;

        public Reachability {
            if (address == null || !ADDRESS.matcher(address).matches()) {
                throw new InvalidInputException("health.reachability.address", address, ADDRESS_RULE);
            }
            String at = "health.reachability." + address;
            if (intervalMs < 1_000 || intervalMs > 3_600_000 || intervalMs % 1000 != 0) {
                throw new InvalidInputException(at + ".interval-seconds", intervalMs / 1000.0, "1 to 3600 (seconds)");
            }
            if (timeoutMs < 10 || timeoutMs >= intervalMs) {
                throw new InvalidInputException(at + ".timeout-ms", timeoutMs, "10 ms up to less than the interval (" + intervalMs + " ms)");
            }
            checkFailures(at + ".failures", failures);
            if (action == null) action = DEFAULT_ACTION;
            if (action == HealthAction.NETWORKS) throw new InvalidInputException(at + ".action", "networks", "degrade or evacuate");
        }
    }

    /** Heartbeat-disk writes slower than {@code warnMs}, {@code failures} rounds in a row = failed. */
    public record DiskLatency(long warnMs, int failures, HealthAction action) {
        public static final DiskLatency DEFAULTS = new DiskLatency(500, 3, HealthAction.DEGRADE);

        public DiskLatency {
            if (warnMs < 1 || warnMs > 60_000) throw new InvalidInputException("health.disk-latency.warn-ms", warnMs, "1 to 60000 (milliseconds)");
            checkFailures("health.disk-latency.failures", failures);
            if (action == null) action = HealthAction.DEGRADE;
            if (action == HealthAction.NETWORKS) {
                throw new InvalidInputException("health.disk-latency.action", "networks", "degrade or evacuate");
            }
        }
    }

    public HealthPolicy {
        nics = nics == null ? List.of() : List.copyOf(nics);
        reachability = reachability == null ? List.of() : List.copyOf(reachability);
        diskLatency = diskLatency == null ? Optional.empty() : diskLatency;
        Set<String> seen = new TreeSet<>();
        for (Nic n : nics) {
            if (!seen.add(n.name())) throw new InvalidInputException("health.nics.name", n.name(), "each NIC listed once");
        }
        seen.clear();
        for (Reachability r : reachability) {
            if (!seen.add(r.address())) {
                throw new InvalidInputException("health.reachability.address", r.address(), "each address listed once");
            }
        }
    }

    /** Every logical network some configured NIC carries: what this host provides while all its NICs are up. */
    public SortedSet<String> configuredNetworks() {
        SortedSet<String> all = new TreeSet<>();
        for (Nic n : nics) all.addAll(n.networks());
        return all;
    }

    public boolean monitorsAnything() { return !nics.isEmpty() || !reachability.isEmpty() || diskLatency.isPresent(); }

    private static void checkFailures(String field, int failures) {
        if (failures < 1 || failures > 100) throw new InvalidInputException(field, failures, "1 to 100 consecutive readings");
    }

    /** Names checked like host names, deduplicated and sorted, so equal sets compare equal. */
    static List<String> sortedNames(String field, List<String> names) {
        if (names == null) return List.of();
        SortedSet<String> out = new TreeSet<>();
        for (String n : names) out.add(Names.check(field, n));
        return List.copyOf(new ArrayList<>(out));
    }
}
