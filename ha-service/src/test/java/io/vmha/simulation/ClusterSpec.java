package io.vmha.simulation;

import io.vmha.core.GuestHeartbeat;
import io.vmha.core.HealthProbe;
import io.vmha.core.HealthAction;
import io.vmha.core.HealthPolicy;
import io.vmha.core.HostCapacity;
import io.vmha.core.RestartOverride;
import io.vmha.core.Sensitivity;
import io.vmha.core.VmHealth;
import io.vmha.core.RestartPolicy;
import io.vmha.core.Timings;
import io.vmha.core.VmSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated pool: its hosts, its VMs, its timings and how long to run. Parsed from a scenario's
 * {@code cluster} file (format in {@code src/test/resources/scenarios/README.md}) or built by the
 * randomized runs.
 */
final class ClusterSpec {
    record Host(String name, HostCapacity capacity, long wallOffsetMillis) {}

    long seed = 1;
    Timings timings = Timings.defaults();
    RestartPolicy policy = RestartPolicy.defaults();
    long propagationDelayMillis = 50;
    /** VMs of the cluster file are defined in the registry at this time, once the hosts had a moment to join. */
    long vmsDefinedAtMillis = 1000;
    long durationMillis = 30_000;
    /** A known limitation lets VMs run twice: log the double run instead of failing. */
    boolean doubleRunIsKnownLimitation;
    /** A shared heartbeat disk (SimDisk) and a fence guard per host; off keeps the lease-only pool of the first scenarios. */
    boolean heartbeatDisk;
    /** With the disk: whether the fence guards run (tests switch them off to show they are what holds the deadline). */
    boolean fenceGuard = true;
    /** Live migration through simulated tunnels on every host ({@code live-migration on ...}); off: moves are stop + start. */
    boolean liveMigration;
    io.vmha.core.MigrationPolicy migrationPolicy = io.vmha.core.MigrationPolicy.DEFAULT;
    long migrationRateMibPerSecond = 512;
    final List<Host> hosts = new ArrayList<>();
    final List<VmSpec> vms = new ArrayList<>();
    /** Host-health monitors per host ({@code nic} and {@code probe} lines). */
    final Map<String, HealthPolicy> health = new TreeMap<>();

    static ClusterSpec parse(List<String> lines) {
        ClusterSpec spec = new ClusterSpec();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] w = line.split("\\s+");
            Map<String, String> kv = keyValues(Arrays.asList(w).subList(1, w.length));
            switch (w[0]) {
                case "seed" -> spec.seed = Long.parseLong(w[1]);
                case "duration" -> spec.durationMillis = seconds(w[1]);
                case "vms-defined-at" -> spec.vmsDefinedAtMillis = seconds(w[1]);
                case "propagation-delay-ms" -> spec.propagationDelayMillis = Long.parseLong(w[1]);
                case "known-limitation" -> {
                    if (!w[1].equals("double-run")) throw new IllegalArgumentException("unknown limitation " + w[1]);
                    spec.doubleRunIsKnownLimitation = true;
                }
                case "timings" -> spec.timings = new Timings(num(kv, "session-timeout-ms", 6000),
                        num(kv, "stop-deadline-ms", 500), num(kv, "safety-margin-ms", 500),
                        num(kv, "disk-interval-ms", 1000), num(kv, "disk-timeout-ms", 5000));
                case "heartbeat-disk" -> {
                    if (!w[1].equals("on") && !w[1].equals("off")) throw new IllegalArgumentException("heartbeat-disk on|off, not " + w[1]);
                    spec.heartbeatDisk = w[1].equals("on");
                }
                case "live-migration" -> {
                    if (!w[1].equals("on") && !w[1].equals("off")) throw new IllegalArgumentException("live-migration on|off, not " + w[1]);
                    spec.liveMigration = w[1].equals("on");
                    Map<String, String> opts = keyValues(Arrays.asList(w).subList(2, w.length));
                    spec.migrationPolicy = new io.vmha.core.MigrationPolicy((int) num(opts, "max-per-host", 2),
                            num(opts, "timeout-ms", 300_000), 0, 0);
                    spec.migrationRateMibPerSecond = num(opts, "rate-mib-s", 512);
                }
                case "restart-policy" -> spec.policy = new RestartPolicy((int) num(kv, "max-restarts", 3),
                        num(kv, "window-s", 600) * 1000, (int) num(kv, "max-relocations", 2));
                case "host" -> spec.hosts.add(new Host(w[1], new HostCapacity(num(kv, "memory-mib", 8192),
                        (int) num(kv, "vcpus", 16)), num(kv, "wall-offset-ms", 0)));
                case "vm" -> spec.vms.add(vm(w[1], kv));
                case "nic" -> spec.addNic(w[1], new HealthPolicy.Nic(w[2], list(kv, "networks"),
                        action(kv, HealthPolicy.Nic.DEFAULT_ACTION), (int) num(kv, "failures", HealthPolicy.Nic.DEFAULT_FAILURES),
                        num(kv, "interval-ms", HealthPolicy.Nic.DEFAULT_INTERVAL_MS)));
                case "probe" -> spec.addProbe(w[1], new HealthPolicy.Reachability(w[2],
                        num(kv, "interval-ms", HealthPolicy.Reachability.DEFAULT_INTERVAL_MS),
                        num(kv, "timeout-ms", HealthPolicy.Reachability.DEFAULT_TIMEOUT_MS),
                        (int) num(kv, "failures", HealthPolicy.Reachability.DEFAULT_FAILURES),
                        action(kv, HealthPolicy.Reachability.DEFAULT_ACTION)));
                default -> throw new IllegalArgumentException("cluster line '" + raw + "': unknown keyword " + w[0]);
            }
        }
        return spec;
    }

    /** {@code add-vm} and {@code vm} share the attributes: memory-mib, vcpus, ha, prefer, networks. */
    static VmSpec vm(String name, Map<String, String> kv) {
        return new VmSpec(name, num(kv, "memory-mib", 1024), (int) num(kv, "vcpus", 1), "sim", Map.of(),
                Boolean.parseBoolean(kv.getOrDefault("ha", "true")), list(kv, "prefer"), list(kv, "networks"), health(kv));
    }

    /**
     * The health attributes: {@code guest=low|medium|high} turns the guest heartbeat on, {@code guest-failure-s},
     * {@code guest-uptime-s}, {@code guest-max-resets}, {@code guest-window-s}, {@code guest-ping-ms} override
     * the preset; {@code probe=reset|relocate} adds one probe ({@code probe-interval-s}, {@code probe-threshold});
     * {@code restart=R/W/L/B/C} is the VM's own restart policy: restarts, window s, relocations, backoff s, cap s.
     */
    static VmHealth health(Map<String, String> kv) {
        GuestHeartbeat guest = GuestHeartbeat.OFF;
        if (kv.containsKey("guest") || kv.containsKey("guest-uptime-s")) {
            guest = new GuestHeartbeat(kv.containsKey("guest"), Sensitivity.parse("guest", kv.getOrDefault("guest", "medium")),
                    box(kv, "guest-failure-s"), box(kv, "guest-uptime-s"), box(kv, "guest-max-resets"),
                    box(kv, "guest-window-s"), num(kv, "guest-ping-ms", 1000));
        }
        List<HealthProbe> probes = List.of();
        if (kv.containsKey("probe")) {
            int interval = (int) num(kv, "probe-interval-s", 1);
            probes = List.of(new HealthProbe(HealthProbe.Kind.TCP, "app.sim:80", 200, List.of(), interval, 1,
                    (int) num(kv, "probe-threshold", 3), HealthProbe.Action.valueOf(kv.get("probe").toUpperCase(java.util.Locale.ROOT))));
        }
        RestartOverride restart = null;
        if (kv.containsKey("restart")) {
            String[] r = kv.get("restart").split("/");
            restart = new RestartOverride(Integer.parseInt(r[0]), Integer.parseInt(r[1]), Integer.parseInt(r[2]),
                    Integer.parseInt(r[3]), Integer.parseInt(r[4]));
        }
        return new VmHealth(guest, probes, restart);
    }

    private static Integer box(Map<String, String> kv, String key) {
        return kv.containsKey(key) ? Integer.valueOf(kv.get(key)) : null;
    }

    private static List<String> list(Map<String, String> kv, String key) {
        String value = kv.getOrDefault(key, "");
        return value.isEmpty() ? List.of() : List.of(value.split(","));
    }

    private static HealthAction action(Map<String, String> kv, HealthAction otherwise) {
        return kv.containsKey("action") ? HealthAction.valueOf(kv.get("action").toUpperCase(java.util.Locale.ROOT)) : otherwise;
    }

    private void addNic(String host, HealthPolicy.Nic nic) {
        HealthPolicy p = health.getOrDefault(host, HealthPolicy.NONE);
        List<HealthPolicy.Nic> nics = new ArrayList<>(p.nics());
        nics.add(nic);
        health.put(host, new HealthPolicy(nics, p.reachability(), p.diskLatency()));
    }

    private void addProbe(String host, HealthPolicy.Reachability probe) {
        HealthPolicy p = health.getOrDefault(host, HealthPolicy.NONE);
        List<HealthPolicy.Reachability> probes = new ArrayList<>(p.reachability());
        probes.add(probe);
        health.put(host, new HealthPolicy(p.nics(), probes, p.diskLatency()));
    }

    static Map<String, String> keyValues(List<String> words) {
        Map<String, String> kv = new TreeMap<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq > 0) kv.put(word.substring(0, eq), word.substring(eq + 1));
        }
        return kv;
    }

    private static long num(Map<String, String> kv, String key, long otherwise) {
        return kv.containsKey(key) ? Long.parseLong(kv.get(key)) : otherwise;
    }

    private static long seconds(String s) { return Math.round(Double.parseDouble(s) * 1000); }
}
