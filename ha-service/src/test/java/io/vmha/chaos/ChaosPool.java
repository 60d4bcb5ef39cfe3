package io.vmha.chaos;

import io.vmha.checker.DoubleRunChecker;
import io.vmha.config.AgentConfig;
import io.vmha.coordination.PoolAdmin;
import io.vmha.core.HostCapacity;
import io.vmha.core.HostState;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import io.vmha.core.port.CoordinationException;
import io.vmha.demo.TcpProxy;
import org.apache.curator.framework.CuratorFramework;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The pool of one chaos run: a fresh pool name (so a fresh ZooKeeper chroot) on the shared ensemble, its
 * host processes with their proxies, its sim VMs writing to the run's own disks directory, and an admin
 * client reading {@code /vmha/<pool>} directly from the ensemble (not through any host's proxy).
 */
final class ChaosPool implements AutoCloseable {
    static final long VM_MEMORY_MIB = 512;

    final String pool;
    final Path dir;
    private final Path jar;
    private final ZkEnsemble zk;
    private final PoolAdmin admin;
    private final CuratorFramework client;
    private final List<ChaosHost> hosts = new ArrayList<>();
    private final Path heartbeatDevice;
    private boolean guardConfigured;

    private final boolean guard;

    /** @param guard {@code fencing.guard} in every host's config */
    ChaosPool(String pool, Path dir, Path jar, ZkEnsemble zk, CuratorFramework client, Path heartbeatDevice, boolean guard)
            throws IOException {
        this.guard = guard;
        this.pool = pool;
        this.dir = dir;
        this.jar = jar;
        this.zk = zk;
        this.admin = new PoolAdmin(client, pool);
        this.client = client;
        this.heartbeatDevice = heartbeatDevice;
        Files.createDirectories(disks());
        Files.createDirectories(dir.resolve("logs"));
    }

    Path disks() { return dir.resolve("shared/disks"); }

    List<ChaosHost> hosts() { return hosts; }

    ChaosHost host(String name) {
        return hosts.stream().filter(h -> h.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no host " + name + " in pool " + pool));
    }

    boolean heartbeat() { return heartbeatDevice != null; }

    /** The admin client (straight to the ensemble), for watches. */
    CuratorFramework client() { return client; }

    /** {@code /vmha/<pool>/owners/<vm>}. */
    String ownerPath(String vm) { return new io.vmha.coordination.PoolPaths(pool).owner(vm); }

    /** Write every host's config and start them all; each can hold every VM, so capacity never limits HA. */
    void startHosts(int count, int vms) throws IOException {
        HostCapacity capacity = new HostCapacity(Math.max(4096, (vms + 1) * VM_MEMORY_MIB), Math.max(16, vms + 1));
        for (int i = 1; i <= count; i++) {
            String name = "h" + i;
            Path hostDir = dir.resolve("hosts/" + name);
            Files.createDirectories(hostDir);
            List<TcpProxy> proxies = new ArrayList<>();
            for (int s = 0; s < ZkEnsemble.SIZE; s++) proxies.add(new TcpProxy(pool + "-" + name + "-" + zk.name(s), zk.address(s)));
            AgentConfig config = AgentConfig.defaults(pool, name, capacity, ChaosHost.connect(proxies),
                    dir.resolve("shared"), hostDir.resolve("sim"));
            AgentConfig.Fencing fencing = new AgentConfig.Fencing(config.fencing().stopDeadlineMs(),
                    config.fencing().safetyMarginMs(), guard);
            config = new AgentConfig(config.pool(), config.host(), config.zookeeper(), fencing, config.restart(),
                    config.hypervisor(), config.loop(), heartbeatDevice == null ? AgentConfig.Heartbeat.NONE
                            : new AgentConfig.Heartbeat(heartbeatDevice, 1000, 5000));
            guardConfigured = config.fencing().guard();
            Path file = hostDir.resolve("vmha.yaml");
            Files.writeString(file, config.toYaml());
            ChaosHost host = new ChaosHost(name, file, dir.resolve("logs/" + name + ".log"), hostDir.resolve("sim"), jar, proxies);
            hosts.add(host);
        }
        for (ChaosHost h : hosts) h.start();
    }

    /** The config this run's hosts run with says {@code fencing.guard: true}. */
    boolean guardConfigured() { return guardConfigured; }

    void addVms(int count) throws CoordinationException {
        for (int i = 1; i <= count; i++) admin.addVm(VmSpec.sim(String.format("vm%02d", i), VM_MEMORY_MIB));
    }

    /** The pool's audit log, one line per event; empty if ZooKeeper does not answer. */
    List<String> events() {
        try {
            return admin.events(0).stream().map(e -> e.wallMillis() + " " + e.source() + ": " + e.message()).toList();
        } catch (CoordinationException | RuntimeException e) {
            return List.of("(events not readable: " + e + ")");
        }
    }

    /** The pool status, or null while ZooKeeper does not answer (e.g. the majority is down). */
    PoolAdmin.PoolStatus status() {
        try {
            return admin.status();
        } catch (CoordinationException | RuntimeException e) {
            return null;
        }
    }

    /** Poll every {@code periodMillis} until {@code ready} holds; false on timeout. */
    boolean await(Predicate<PoolAdmin.PoolStatus> ready, long timeoutMillis, long periodMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            PoolAdmin.PoolStatus s = status();
            if (s != null && ready.test(s)) return true;
            Thread.sleep(periodMillis);
        }
        return false;
    }

    /**
     * Every HA VM is RUNNING on a live member per owners/, and its disk shows that very instance (owner host
     * and epoch in the instance id) writing within the last {@code freshMillis}.
     */
    boolean allRunningConfirmed(PoolAdmin.PoolStatus s, long freshMillis) {
        return allRunningConfirmed(s, freshMillis, 0);
    }

    /** As above, and every confirming write is also later than {@code notBeforeMicros} (e.g. after a fault). */
    boolean allRunningConfirmed(PoolAdmin.PoolStatus s, long freshMillis, long notBeforeMicros) {
        return runningConfirmed(s, freshMillis, notBeforeMicros) == s.vms().stream().filter(VmSpec::haEnabled).count();
    }

    /** How many HA VMs run per owners/ and are confirmed by a fresh write of the owner's instance. */
    long runningConfirmed(PoolAdmin.PoolStatus s, long freshMillis, long notBeforeMicros) {
        DoubleRunChecker.Result disks;
        try {
            disks = DoubleRunChecker.check(disks());
        } catch (IOException e) {
            return 0;
        }
        long since = Math.max(ChaosRunner.nowMicros() - freshMillis * 1000, notBeforeMicros);
        Map<String, Ownership> owners = s.ownerMap();
        Map<String, ?> members = s.memberMap();
        long ok = 0;
        for (VmSpec vm : s.vms()) {
            if (!vm.haEnabled()) continue;
            Ownership o = owners.get(vm.name());
            if (o == null || o.state() != VmState.RUNNING || !members.containsKey(o.host())) continue;
            String prefix = o.host() + ".e" + o.epoch() + ".";
            boolean fresh = disks.spansByVm().getOrDefault(vm.name(), List.of()).stream()
                    .anyMatch(i -> i.instance().startsWith(prefix) && i.lastMicros() >= since);
            if (fresh) ok++;
        }
        return ok;
    }

    /** Every one of {@code hosts} hosts is an ACTIVE member, a master is elected. */
    static boolean membersActive(PoolAdmin.PoolStatus s, int hosts) {
        return s.members().size() == hosts && !s.master().isEmpty()
                && s.members().stream().allMatch(h -> h.state() == HostState.ACTIVE);
    }

    /** A short text of the pool: master, members with state, VMs per owner/state. */
    static String describe(PoolAdmin.PoolStatus s) {
        if (s == null) return "(ZooKeeper does not answer)";
        StringBuilder b = new StringBuilder("master=").append(s.master().isEmpty() ? "-" : s.master()).append(" members=");
        s.members().forEach(h -> b.append(h.name()).append(':').append(h.state()).append(' '));
        b.append("vms=");
        for (VmSpec vm : s.vms()) {
            Ownership o = s.ownerMap().get(vm.name());
            b.append(vm.name()).append('@').append(o == null ? "-" : o.host() + "/" + o.state() + "/e" + o.epoch()).append(' ');
        }
        return b.toString().trim();
    }

    @Override public void close() {
        String marker = dir.toString();
        for (ChaosHost h : hosts) h.destroy(marker);
        for (ChaosHost h : hosts) h.closeProxies();
    }
}
