package io.vmha.config;

import io.vmha.core.HealthPolicy;
import io.vmha.core.HostCapacity;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import io.vmha.core.RestartPolicy;
import io.vmha.core.Timings;
import io.vmha.core.VmSpec;
import io.vmha.hypervisor.libvirt.LibvirtConfig;
import io.vmha.hypervisor.qemu.QemuConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything one agent needs to start, read from a YAML file by {@link AgentConfigLoader}. Every record checks
 * its own values, so a config built in code (the demo, tests) is held to the same rules as a file.
 * Durations are plain milliseconds; ZooKeeper's are {@code int} because Curator takes ints.
 */
public record AgentConfig(String pool, Host host, ZooKeeper zookeeper, Fencing fencing, Restart restart,
                          HypervisorConfig hypervisor, Loop loop, Heartbeat heartbeat, HealthPolicy health,
                          MigrationConfig migration, ObservabilityConfig observability) {

    public AgentConfig(String pool, Host host, ZooKeeper zookeeper, Fencing fencing, Restart restart,
                       HypervisorConfig hypervisor, Loop loop, Heartbeat heartbeat, HealthPolicy health) {
        this(pool, host, zookeeper, fencing, restart, hypervisor, loop, heartbeat, health, MigrationConfig.NONE,
                ObservabilityConfig.none());
    }

    public AgentConfig(String pool, Host host, ZooKeeper zookeeper, Fencing fencing, Restart restart,
                       HypervisorConfig hypervisor, Loop loop, Heartbeat heartbeat, HealthPolicy health,
                       ObservabilityConfig observability) {
        this(pool, host, zookeeper, fencing, restart, hypervisor, loop, heartbeat, health, MigrationConfig.NONE, observability);
    }

    public AgentConfig(String pool, Host host, ZooKeeper zookeeper, Fencing fencing, Restart restart,
                       HypervisorConfig hypervisor, Loop loop, Heartbeat heartbeat) {
        this(pool, host, zookeeper, fencing, restart, hypervisor, loop, heartbeat, HealthPolicy.NONE);
    }

    public AgentConfig(String pool, Host host, ZooKeeper zookeeper, Fencing fencing, Restart restart,
                       HypervisorConfig hypervisor, Loop loop) {
        this(pool, host, zookeeper, fencing, restart, hypervisor, loop, Heartbeat.NONE);
    }

    public AgentConfig {
        Names.check("pool", pool);
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(zookeeper, "zookeeper");
        Objects.requireNonNull(fencing, "fencing");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(hypervisor, "hypervisor");
        Objects.requireNonNull(loop, "loop");
        if (heartbeat == null) heartbeat = Heartbeat.NONE;
        if (health == null) health = HealthPolicy.NONE;
        if (migration == null) migration = MigrationConfig.NONE;
        if (observability == null) observability = ObservabilityConfig.none();
        // Write latency is measured around the heartbeat disk's slot write: without a disk there is nothing to time.
        if (health.diskLatency().isPresent() && !heartbeat.configured()) {
            throw new InvalidInputException("health.disk-latency", "(set)", "no disk-latency section unless heartbeat.device is set");
        }
        // Rejects a combination that would let a cut-off host outlive its session (fields are not set yet here).
        new Timings(zookeeper.sessionTimeoutMs(), fencing.stopDeadlineMs(), fencing.safetyMarginMs(),
                heartbeat.intervalMs(), heartbeat.timeoutMs());
    }

    /** The HA waits derived from this config; valid by construction. */
    public Timings timings() {
        return new Timings(zookeeper.sessionTimeoutMs(), fencing.stopDeadlineMs(), fencing.safetyMarginMs(),
                heartbeat.intervalMs(), heartbeat.timeoutMs());
    }

    public RestartPolicy restartPolicy() {
        return new RestartPolicy(restart.maxRestarts(), restart.windowSeconds() * 1000L, restart.maxRelocations());
    }

    /** This config with host-health monitoring {@code next}. */
    public AgentConfig withHealth(HealthPolicy next) {
        return new AgentConfig(pool, host, zookeeper, fencing, restart, hypervisor, loop, heartbeat, next, migration, observability);
    }

    public AgentConfig withMigration(MigrationConfig next) {
        return new AgentConfig(pool, host, zookeeper, fencing, restart, hypervisor, loop, heartbeat, health, next, observability);
    }

    /** This config with the management endpoints {@code next} (Jolokia, Prometheus). */
    public AgentConfig withObservability(ObservabilityConfig next) {
        return new AgentConfig(pool, host, zookeeper, fencing, restart, hypervisor, loop, heartbeat, health, migration, next);
    }

    /** A sim-driver config with every optional key at its default; {@code stateDir} null means the default. */
    public static AgentConfig defaults(String pool, String hostName, HostCapacity capacity, String connect,
                                       Path sharedDir, Path stateDir) {
        return new AgentConfig(pool, new Host(hostName, capacity), ZooKeeper.withDefaults(connect), Fencing.DEFAULTS,
                Restart.DEFAULTS, new HypervisorConfig(HypervisorConfig.SIM,
                        new SimConfig(sharedDir, stateDir == null ? SimConfig.DEFAULT_STATE_DIR : stateDir)),
                Loop.DEFAULTS);
    }

    /** This config as YAML that {@link AgentConfigLoader#load} reads back to an equal config. */
    public String toYaml() {
        return AgentConfigWriter.toYaml(this);
    }

    /** This host: its name (a ZooKeeper node name) and what it offers to VMs. */
    public record Host(String name, HostCapacity capacity) {
        static final Limit MEMORY_MIB = new Limit("host.capacity.memory-mib", 1, VmSpec.MAX_MEMORY_MIB, "MiB");
        static final Limit VCPUS = new Limit("host.capacity.vcpus", 1, VmSpec.MAX_VCPUS, "vCPUs");

        public Host {
            Names.check("host.name", name);
            Objects.requireNonNull(capacity, "host.capacity");
            MEMORY_MIB.check(capacity.memoryMib());
            VCPUS.check(capacity.vcpus());
        }
    }

    /** How to reach ZooKeeper; the pool name is the chroot, so {@code connect} has none. */
    public record ZooKeeper(String connect, int sessionTimeoutMs, int connectionTimeoutMs) {
        static final Limit SESSION_TIMEOUT_MS = new Limit("zookeeper.session-timeout-ms", 1000, 60000, "milliseconds");
        static final Limit CONNECTION_TIMEOUT_MS =
                new Limit("zookeeper.connection-timeout-ms", 500, 60000, "milliseconds");
        public static final int DEFAULT_SESSION_TIMEOUT_MS = 6000;
        public static final int DEFAULT_CONNECTION_TIMEOUT_MS = 5000;
        static final String CONNECT_RULE = "comma-separated host:port entries with ports 1 to 65535, "
                + "e.g. 10.0.0.1:2181,10.0.0.2:2181";
        private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\]");

        public ZooKeeper {
            connect = checkConnect(connect);
            SESSION_TIMEOUT_MS.check(sessionTimeoutMs);
            CONNECTION_TIMEOUT_MS.check(connectionTimeoutMs);
        }

        public static ZooKeeper withDefaults(String connect) {
            return new ZooKeeper(connect, DEFAULT_SESSION_TIMEOUT_MS, DEFAULT_CONNECTION_TIMEOUT_MS);
        }

        /** Checks the list and returns it without blanks around entries. */
        static String checkConnect(String connect) {
            String field = "zookeeper.connect";
            if (connect == null || connect.isBlank()) throw new InvalidInputException(field, connect, CONNECT_RULE);
            if (connect.contains("/")) {
                throw new InvalidInputException(field, connect,
                        "host:port[,host:port...] without a /chroot suffix: the pool name gives the chroot");
            }
            List<String> entries = new ArrayList<>();
            for (String raw : connect.split(",", -1)) {
                String entry = raw.strip();
                int colon = entry.lastIndexOf(':');
                String host = colon < 0 ? entry : entry.substring(0, colon);
                String port = colon < 0 ? "" : entry.substring(colon + 1);
                if (!HOST.matcher(host).matches()) {
                    throw new InvalidInputException(field, connect, CONNECT_RULE + "; bad host in \"" + entry + "\"");
                }
                if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                    throw new InvalidInputException(field, connect, CONNECT_RULE + "; bad port in \"" + entry + "\"");
                }
                entries.add(entry);
            }
            return String.join(",", entries);
        }
    }

    /**
     * Self-fencing timing. A host hard-stops every local VM once session-timeout - stop-deadline - safety-margin
     * has passed since its last confirmed ZooKeeper round trip (see {@link Timings}).
     */
    public record Fencing(long stopDeadlineMs, long safetyMarginMs, boolean guard) {
        static final Limit STOP_DEADLINE_MS = new Limit("fencing.stop-deadline-ms", 100, 30000, "milliseconds");
        static final Limit SAFETY_MARGIN_MS = new Limit("fencing.safety-margin-ms", 0, 30000, "milliseconds");
        public static final Fencing DEFAULTS = new Fencing(500, 500, true);

        /** With the fence guard process on (the default). */
        public Fencing(long stopDeadlineMs, long safetyMarginMs) { this(stopDeadlineMs, safetyMarginMs, true); }

        public Fencing {
            STOP_DEADLINE_MS.check(stopDeadlineMs);
            SAFETY_MARGIN_MS.check(safetyMarginMs);
        }
    }

    /** A failed VM is restarted in place up to {@code maxRestarts} times per window, then relocated. */
    public record Restart(int maxRestarts, int windowSeconds, int maxRelocations) {
        static final Limit MAX_RESTARTS = new Limit("restart.max-restarts", 0, 100, "restarts");
        static final Limit WINDOW_SECONDS = new Limit("restart.window-seconds", 10, 86400, "seconds");
        static final Limit MAX_RELOCATIONS = new Limit("restart.max-relocations", 0, 100, "relocations");
        public static final Restart DEFAULTS = new Restart(3, 600, 2);

        public Restart {
            MAX_RESTARTS.check(maxRestarts);
            WINDOW_SECONDS.check(windowSeconds);
            MAX_RELOCATIONS.check(maxRelocations);
        }
    }

    /** Which hypervisor driver runs VMs on this host, with that driver's settings (only its own section is needed). */
    public record HypervisorConfig(String driver, SimConfig sim, QemuConfig qemu, LibvirtConfig libvirt) {
        public static final String SIM = "sim";
        public static final String QEMU = "qemu";
        public static final String LIBVIRT = "libvirt";

        public HypervisorConfig(String driver, SimConfig sim) {
            this(driver, sim, null, null);
        }

        public HypervisorConfig(String driver, SimConfig sim, QemuConfig qemu) {
            this(driver, sim, qemu, null);
        }

        public HypervisorConfig {
            if (driver == null || !VmSpec.DRIVERS.contains(driver)) {
                throw new InvalidInputException("hypervisor.driver", driver, "one of " + VmSpec.DRIVERS);
            }
            if (SIM.equals(driver) && sim == null) {
                throw new InvalidInputException("hypervisor.sim.shared-dir", "(missing)", SimConfig.PATH_RULE);
            }
            if (QEMU.equals(driver) && qemu == null) qemu = QemuConfig.defaults(DEFAULT_QEMU_RUN_DIR);
            if (LIBVIRT.equals(driver) && libvirt == null) libvirt = LibvirtConfig.defaults(DEFAULT_LIBVIRT_RUN_DIR);
        }

        public static final Path DEFAULT_QEMU_RUN_DIR = Path.of("/var/lib/vmha/qemu");
        public static final Path DEFAULT_LIBVIRT_RUN_DIR = Path.of("/var/lib/vmha/libvirt");

        /** The chosen driver's own directory, which survives a daemon restart: also where the fence guard lives. */
        public Path stateDir() {
            if (QEMU.equals(driver)) return qemu.runDir();
            if (LIBVIRT.equals(driver)) return libvirt.runDirectory();
            return sim.stateDir();
        }
    }

    /** The simulated hypervisor: VM state files, and a directory all hosts share (the "SAN"). */
    public record SimConfig(Path sharedDir, Path stateDir) {
        public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/vmha/sim");
        static final String PATH_RULE = "an absolute path, e.g. /var/lib/vmha/shared";

        public SimConfig {
            checkAbsolute("hypervisor.sim.shared-dir", sharedDir);
            checkAbsolute("hypervisor.sim.state-dir", stateDir);
        }

        static Path path(String field, String text) {
            try {
                return checkAbsolute(field, text == null || text.isEmpty() ? null : Path.of(text));
            } catch (InvalidPathException | InvalidInputException e) {
                throw new InvalidInputException(field, text, PATH_RULE); // name the text as written
            }
        }

        private static Path checkAbsolute(String field, Path path) {
            if (path == null || !path.isAbsolute()) throw new InvalidInputException(field, path, PATH_RULE);
            return path;
        }
    }

    /**
     * The shared heartbeat disk (DESIGN.md, split-brain). {@code device} null: no disk, the coordinator lease
     * alone decides and a whole-pool ZooKeeper outage fences every host.
     */
    public record Heartbeat(Path device, long intervalMs, long timeoutMs) {
        static final Limit INTERVAL_MS = new Limit("heartbeat.interval-ms", 100, 10000, "milliseconds");
        static final Limit TIMEOUT_MS = new Limit("heartbeat.timeout-ms", 300, 120000, "milliseconds");
        static final String DEVICE_RULE = "an absolute path of a block device or file formatted by 'vmha heartbeat init'";
        public static final Heartbeat NONE = new Heartbeat(null, 1000, 5000);

        public Heartbeat {
            if (device != null && !device.isAbsolute()) throw new InvalidInputException("heartbeat.device", device, DEVICE_RULE);
            INTERVAL_MS.check(intervalMs);
            TIMEOUT_MS.check(timeoutMs);
        }

        public boolean configured() { return device != null; }
    }

    /** The daemon loops wake on every change; {@code intervalMs} is their backstop period. */
    public record Loop(long intervalMs) {
        static final Limit INTERVAL_MS = new Limit("loop.interval-ms", 50, 10000, "milliseconds");
        public static final Loop DEFAULTS = new Loop(500);

        public Loop {
            INTERVAL_MS.check(intervalMs);
        }
    }
}
