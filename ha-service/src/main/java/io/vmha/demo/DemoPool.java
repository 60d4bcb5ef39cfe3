package io.vmha.demo;

import io.vmha.config.AgentConfig;
import io.vmha.checker.ProcessCensus;
import io.vmha.coordination.Curators;
import io.vmha.coordination.PoolAdmin;
import io.vmha.core.HostCapacity;
import io.vmha.core.HostState;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import io.vmha.agent.SystemClock;
import io.vmha.heartbeat.HeartbeatAdmin;
import io.vmha.zookeeper.EmbeddedZooKeeper;
import org.apache.curator.framework.CuratorFramework;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A whole pool on this machine: an embedded ZooKeeper, one agent process per host, sim VMs, and an
 * admin client that watches it all. Closing it leaves no process behind.
 */
public final class DemoPool implements AutoCloseable {
    public static final String POOL = "demo";
    static final long VM_MEMORY_MIB = 512;

    private final Path dir;
    private final PrintStream out;
    private EmbeddedZooKeeper zookeeper;
    private final java.util.Map<String, TcpProxy> proxies = new java.util.TreeMap<>();
    private final LoopFilesystem loopFs;
    private Path heartbeat;
    private final List<HostProcess> hosts = new ArrayList<>();
    private CuratorFramework client;
    private PoolAdmin admin;
    private boolean closed;
    private DemoJolokia jolokia;
    private final String driver;
    private final Path qemuRoot;
    private ProcessCensus census;
    /** The guest the qemu VMs boot (guest-hang), or null: diskless VMs that stay in SeaBIOS. */
    private TinyGuestImage guest;
    /** qemu VMs of the demo: small and diskless, they boot to SeaBIOS and keep running. */
    static final long QEMU_VM_MEMORY_MIB = 64;
    /** How often the census looks at /proc: the resolution of the qemu demo's recovery figures. */
    static final long CENSUS_PERIOD_MILLIS = 50;

    public DemoPool(Path dir, PrintStream out) throws IOException {
        this(dir, out, false);
    }

    /** @param heartbeatOnLoopFs put the heartbeat file on a loop-mounted ext4, so it can be frozen for real */
    public DemoPool(Path dir, PrintStream out, boolean heartbeatOnLoopFs) throws IOException {
        this(dir, out, heartbeatOnLoopFs, "sim");
    }

    /**
     * @param driver {@code sim}, or {@code qemu}: real qemu VMs (diskless, TCG), judged by a {@link ProcessCensus}
     *               that writes their lifetimes to the same disk files the sim VMs write themselves
     */
    public DemoPool(Path dir, PrintStream out, boolean heartbeatOnLoopFs, String driver) throws IOException {
        this.driver = driver;
        // qemu's socket paths are limited to 107 bytes, so its run dirs live under a short path of their own.
        this.qemuRoot = driver.equals("qemu") ? Files.createTempDirectory(Path.of("/tmp"), "vmhaq") : null;
        this.dir = dir.toAbsolutePath();
        this.loopFs = heartbeatOnLoopFs ? new LoopFilesystem(this.dir.resolve("heartbeat-fs.img"), this.dir.resolve("heartbeat-fs")) : null;
        this.out = out;
        Files.createDirectories(this.dir.resolve("shared/disks"));
        Files.createDirectories(this.dir.resolve("logs"));
        this.zookeeper = new EmbeddedZooKeeper(this.dir.resolve("zookeeper"), 0);
    }

    public Path dir() { return dir; }

    public Path disks() { return dir.resolve("shared/disks"); }

    public String connectString() { return zookeeper.connectString(); }

    public PoolAdmin admin() { return admin; }

    /** Boot {@code image} in every qemu VM registered from now on. */
    DemoPool guest(TinyGuestImage image) {
        this.guest = image;
        return this;
    }

    boolean qemu() { return qemuRoot != null; }

    public List<HostProcess> hosts() { return hosts; }

    /** Start ZooKeeper and {@code count} hosts, each with room for every VM of the demo. */
    public void start(int count, int vms) throws Exception {
        if (qemuRoot != null) {
            // Only this demo's qemu processes count: their command lines name its run dirs.
            String mine = qemuRoot.toString() + "/";
            census = new ProcessCensus(disks(), io.vmha.hypervisor.qemu.QemuCommand.MARKER,
                    argv -> argv.stream().anyMatch(a -> a.contains(mine))
                            ? io.vmha.hypervisor.qemu.QemuCommand.identify(argv) : java.util.Optional.empty(),
                    new io.vmha.hypervisor.qemu.QemuExecutionProbe(), // a paused qemu (a migration's other end) runs no guest
                    CENSUS_PERIOD_MILLIS).start();
        }
        zookeeper.start();
        client = Curators.newClient(zookeeper.connectString(), 6000, 5000);
        client.start();
        admin = new PoolAdmin(client, POOL);
        Path heartbeatDir = loopFs != null ? loopFs.mount() : dir.resolve("shared");
        heartbeat = heartbeatDir.resolve("heartbeat.img");
        new HeartbeatAdmin(new SystemClock()).init(heartbeat, POOL, count + 2, 1000, 5000, false);
        // Every host can hold every VM, so any set of failures leaves room: the demo tests HA, not packing.
        jolokia = DemoJolokia.create(dir.resolve("jolokia"));
        HostCapacity capacity = new HostCapacity(Math.max(4096, (vms + 1) * VM_MEMORY_MIB), Math.max(16, vms + 1));
        for (int i = 1; i <= count; i++) {
            String name = "h" + i;
            Path hostDir = dir.resolve("hosts/" + name);
            Files.createDirectories(hostDir);
            // Each host reaches ZooKeeper through its own proxy, so one host can be cut off for real.
            TcpProxy proxy = new TcpProxy(name, new java.net.InetSocketAddress("127.0.0.1", zookeeper.port()));
            proxies.put(name, proxy);
            AgentConfig d = AgentConfig.defaults(POOL, name, capacity, proxy.address(),
                    dir.resolve("shared"), hostDir.resolve("sim"));
            Path stateDir = qemuRoot != null ? qemuRoot.resolve(name) : hostDir.resolve("sim");
            AgentConfig.HypervisorConfig hypervisor = qemuRoot == null ? d.hypervisor()
                    : new AgentConfig.HypervisorConfig(AgentConfig.HypervisorConfig.QEMU, d.hypervisor().sim(),
                            io.vmha.hypervisor.qemu.QemuConfig.defaults(stateDir));
            AgentConfig config = new AgentConfig(d.pool(), d.host(), d.zookeeper(), d.fencing(), d.restart(),
                    hypervisor, d.loop(), new AgentConfig.Heartbeat(heartbeat, 1000, 5000))
                    .withObservability(jolokia.config());
            Path file = hostDir.resolve("vmha.yaml");
            Files.writeString(file, config.toYaml());
            HostProcess host = new HostProcess(name, file, dir.resolve("logs/" + name + ".log"), stateDir, driver);
            host.start();
            hosts.add(host);
        }
    }

    public void addVms(int count) throws io.vmha.core.port.CoordinationException {
        addVms(count, io.vmha.core.VmHealth.DEFAULT);
    }

    /** Register {@code count} sim VMs, each with {@code health} (guest heartbeat, probes). */
    public void addVms(int count, io.vmha.core.VmHealth health) throws io.vmha.core.port.CoordinationException {
        for (int i = 1; i <= count; i++) {
            String vm = String.format("vm%02d", i);
            VmSpec spec = qemuRoot == null ? VmSpec.sim(vm, VM_MEMORY_MIB)
                    : guest != null ? new VmSpec(vm, QemuGuestHang.MEMORY_MIB, 1, "qemu", guest.driverParams(), true, List.of())
                    : new VmSpec(vm, QEMU_VM_MEMORY_MIB, 1, "qemu", java.util.Map.of(), true, List.of());
            admin.addVm(spec.withHealth(health));
        }
    }

    /** The Jolokia credentials file (JSON: user, password and policy of each role). */
    public Path jolokiaCredentials() { return jolokia.credentials(); }

    /** Every live host's Jolokia and Prometheus URLs, as the hosts published them. */
    public SortedMap<String, io.vmha.coordination.EndpointRegistry.Endpoints> endpoints() throws Exception {
        return io.vmha.coordination.EndpointRegistry.read(client, POOL);
    }

    public PoolAdmin.PoolStatus status() throws io.vmha.core.port.CoordinationException { return admin.status(); }

    /** Wait until {@code ready} holds for the pool status, printing progress; false on timeout. */
    public boolean await(String what, Predicate<PoolAdmin.PoolStatus> ready, long timeoutMillis) throws InterruptedException, io.vmha.core.port.CoordinationException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        long nextNote = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            PoolAdmin.PoolStatus s = admin.status();
            if (ready.test(s)) return true;
            if (System.nanoTime() > nextNote) {
                out.println("  ... waiting for " + what + ": " + StatusLine.of(s));
                nextNote = System.nanoTime() + 5_000_000_000L;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** True when every live host is active, a master is elected, and every registered VM runs on a live host. */
    public static boolean healthy(PoolAdmin.PoolStatus s, int hosts) {
        if (s.members().size() != hosts || s.master().isEmpty()) return false;
        if (s.members().stream().anyMatch(h -> h.state() != HostState.ACTIVE)) return false;
        return allRunning(s);
    }

    public static boolean allRunning(PoolAdmin.PoolStatus s) {
        Map<String, Ownership> owners = s.ownerMap();
        Map<String, ?> members = s.memberMap();
        for (VmSpec vm : s.vms()) {
            if (!runsOnLiveHost(owners.get(vm.name()), members)) return false;
        }
        return true;
    }

    /** The record says RUNNING on a host that is a live member (what the disks then confirm or not). */
    static boolean runsOnLiveHost(Ownership o, Map<String, ?> members) {
        return o != null && o.state() == VmState.RUNNING && members.containsKey(o.host());
    }

    /** VMs owned by {@code host} right now, with their epochs. */
    public static SortedMap<String, Long> ownedBy(PoolAdmin.PoolStatus s, String host) {
        return ownedByAny(s, List.of(host));
    }

    /** The VMs (with their epochs) owned by any of {@code hosts}: what a fault of those hosts affects. */
    public static SortedMap<String, Long> ownedByAny(PoolAdmin.PoolStatus s, java.util.Collection<String> hosts) {
        SortedMap<String, Long> owned = new TreeMap<>();
        for (Ownership o : s.owners()) {
            for (String host : hosts) if (o.ownedBy(host)) owned.put(o.vm(), o.epoch());
        }
        return owned;
    }

    /**
     * How many times any host logged entering FENCED. Read from the hosts' own logs: a fence during a
     * coordinator outage never reaches ZooKeeper's audit log.
     */
    public long fencesLogged() throws IOException {
        long n = 0;
        for (HostProcess h : hosts) {
            if (!Files.exists(h.log)) continue;
            try (java.util.stream.Stream<String> lines = Files.lines(h.log)) {
                n += lines.filter(l -> l.contains(" state ") && l.contains("=> FENCED")).count();
            }
        }
        return n;
    }

    public Path heartbeat() { return heartbeat; }

    /** Freeze (true) or thaw (false) the filesystem under the heartbeat file: a real storage stall. */
    public void freezeHeartbeat(boolean freeze) throws IOException, InterruptedException {
        if (loopFs == null) throw new IllegalStateException("the heartbeat file is not on a loop filesystem");
        loopFs.freeze(freeze);
    }

    /** Blackhole (true) or restore (false) every byte between {@code host} and ZooKeeper. */
    public void partition(String host, boolean cut) {
        TcpProxy proxy = proxies.get(host);
        if (cut) proxy.partition();
        else proxy.heal();
    }

    /** Stop the ZooKeeper server (a whole-pool coordinator outage); its data and sessions survive on disk. */
    public void stopZooKeeper() {
        zookeeper.close();
    }

    /** Start ZooKeeper again on the same port and data: sessions come back with fresh timeouts. */
    public void startZooKeeper() throws Exception {
        zookeeper = new EmbeddedZooKeeper(dir.resolve("zookeeper"), zookeeper.port());
        zookeeper.start();
    }

    public HostProcess host(String name) {
        return hosts.stream().filter(h -> h.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no demo host " + name));
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        for (HostProcess h : hosts) {
            try {
                h.stop(3000);
            } catch (IOException e) {
                out.println("could not stop " + h.name + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (qemuRoot != null) closeQemu();
        if (client != null) client.close();
        proxies.values().forEach(TcpProxy::close);
        zookeeper.close();
        if (loopFs != null) loopFs.close();
    }

    /** After the daemons: kill any qemu they left, stop the census, keep qemu's logs, remove the short run dirs. */
    private void closeQemu() {
        try {
            int left = QemuProcesses.kill(qemuRoot + "/");
            if (left > 0) out.println("killed " + left + " qemu process(es) left by the hosts");
        } catch (IOException e) {
            out.println("could not look for leftover qemu processes: " + e.getMessage());
        }
        if (census != null) census.close();
        try (java.util.stream.Stream<Path> files = Files.walk(qemuRoot)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && (name.endsWith(".log") || name.endsWith(".console"))) {
                    Path keep = dir.resolve("logs/qemu-" + f.getParent().getFileName()).resolve(name);
                    Files.createDirectories(keep.getParent());
                    Files.copy(f, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            out.println("could not clean " + qemuRoot + ": " + e.getMessage());
        }
    }
}
