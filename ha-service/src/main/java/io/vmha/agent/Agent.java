package io.vmha.agent;

import io.vmha.config.AgentConfig;
import io.vmha.coordination.Curators;
import io.vmha.coordination.ZooKeeperCoordination;
import io.vmha.core.HostAgent;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.MasterAgent;
import io.vmha.core.port.Clock;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import org.apache.curator.framework.CuratorFramework;

import io.vmha.core.NoHeartbeatDisk;
import io.vmha.core.port.HeartbeatDisk;
import io.vmha.heartbeat.DiskHeartbeat;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One host's vmha daemon: wires ZooKeeper, the hypervisor driver and the core together and runs the
 * decision loop on one named thread. Lifecycle: {@link #start()} once, {@link #close()} any number of times.
 */
public final class Agent implements AutoCloseable {
    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AgentConfig config;
    private final Clock clock = new SystemClock();
    private final Journal journal = new LogJournal();
    private final Wakeup wakeup = new Wakeup();
    private CuratorFramework client;
    private ZooKeeperCoordination coordination;
    private DriverHandle hypervisor;
    private HostAgent host;
    private AgentLoop loop;
    private GuardFeeder guard;
    private DiskHeartbeat heartbeat;
    private VmHealthRunner healthRunner;
    private HostHealthRunner health;
    private Thread thread;
    private io.vmha.management.Observability observability;
    private io.vmha.migration.tunnel.NettyMigrationTunnel tunnel;

    public Agent(AgentConfig config) {
        this.config = config;
    }

    public void start() throws Exception {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) throw new IllegalStateException("agent already " + state.get());
        String name = config.host().name();
        try {
            // First: a bad Jolokia policy file or a taken port stops the daemon before it joins the pool.
            observability = io.vmha.management.Observability.open(config);
        } catch (Exception e) {
            state.set(State.CLOSED);
            throw e;
        }
        journal.record(name, "starting in pool " + config.pool() + "; lease " + config.timings().fenceAfterMillis()
                + " ms, master grace " + config.timings().masterGraceMillis() + " ms");
        client = Curators.newClient(config.zookeeper().connect(), config.zookeeper().sessionTimeoutMs(),
                config.zookeeper().connectionTimeoutMs());
        client.start();
        // The driver comes up first and adopts VMs that survived a daemon restart, so the first
        // reconciliation sees them and stops any this host no longer owns.
        hypervisor = DriverHandle.open(name, config.hypervisor(), journal, wakeup::signal);
        coordination = new ZooKeeperCoordination(client, config.pool(), name, clock, journal,
                config.timings().leaseProbeMillis());
        coordination.onChange(wakeup::signal);
        coordination.onEvent(observability::event);
        coordination.start();
        observability.attach(client);
        awaitFirstLease();
        HostRecord self = new HostRecord(name, config.host().capacity(), clock.wallMillis(), HostState.JOINING)
                .withDriver(config.hypervisor().driver());
        HeartbeatDisk disk = startHeartbeat(self.incarnation());
        healthRunner = new VmHealthRunner(name, hypervisor, clock, wakeup::signal);
        host = new HostAgent(self, coordination, hypervisor, disk, healthRunner, clock, journal, config.timings());
        startHealth(name);
        startMigration(name);
        MasterAgent master = new MasterAgent(name, coordination, disk, host::state, clock, journal, config.timings(),
                config.restartPolicy(), config.migration().policy(), Secrets::token);
        master.reportMigrations((vm, id, result, millis) -> observability.metrics().migrationEnded(vm, result, millis / 1000.0));
        observability.migrationControl(new io.vmha.migration.PoolMigrationControl(
                new io.vmha.coordination.PoolAdmin(client, config.pool()), "jmx@" + name));
        Runnable feed = () -> { };
        if (config.fencing().guard()) {
            Path guardDir = config.hypervisor().stateDir().resolve("guard");
            java.nio.file.Files.createDirectories(guardDir);
            guard = new GuardFeeder(name, guardDir, guardDir.resolve("fence-guard.log"), host, hypervisor, clock, journal);
            guard.start();
            feed = guard::feed;
        } else {
            journal.record(name, "fence guard disabled (fencing.guard: false): a stalled daemon cannot stop its VMs");
        }
        Runnable feedGuard = feed;
        Runnable afterStep = () -> {
            feedGuard.run(); // first: the guard's deadline must never wait for observation
            observability.stepped(snapshot(master), loop.lastStepNanos());
        };
        loop = new AgentLoop(host, master, wakeup, config.loop().intervalMs(), afterStep);
        thread = new Thread(loop, "vmha-agent-loop");
        thread.start();
    }

    /**
     * The migration tunnel, when {@code migration.pki-dir} is set and the driver can migrate. Bad TLS material (a
     * missing file, a key readable by others, a certificate from another CA) stops the daemon with the file named.
     */
    private void startMigration(String name) throws Exception {
        if (!config.migration().configured()) {
            journal.record(name, "live migration off (no migration.pki-dir): moves are a stop and a cold start");
            return;
        }
        if (hypervisor.migration().isEmpty()) {
            journal.record(name, "live migration off: the " + config.hypervisor().driver() + " driver cannot migrate;"
                    + " moves are a stop and a cold start");
            return;
        }
        io.vmha.config.MigrationConfig m = config.migration();
        io.vmha.migration.tunnel.TunnelTls tls = io.vmha.migration.tunnel.TunnelTls.load(m.pkiDir(), name);
        String bind = m.listenHost();
        boolean wildcard = bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]");
        String advertised = !m.advertise().isEmpty() ? m.advertise() : wildcard ? name : bind;
        tunnel = new io.vmha.migration.tunnel.NettyMigrationTunnel(tls, bind, m.listenPort(), advertised,
                host -> coordination.view().members().containsKey(host), journal);
        tunnel.start();
        journal.record(name, "migration tunnel at " + tunnel.endpoint() + " (bound to " + bind + ")");
        host.enableMigration(tunnel);
    }

    /** What the management side reads until the next step: values the daemon already holds, no I/O. */
    private io.vmha.metrics.AgentSnapshot snapshot(MasterAgent master) {
        return new io.vmha.metrics.AgentSnapshot(config.host().name(), config.pool(), clock.monotonicMillis(),
                coordination.view(), host.state(), master.state() == io.vmha.core.MasterState.LEADING,
                coordination.connection(), heartbeat == null ? io.vmha.core.DiskView.none() : heartbeat.view(),
                host.runUntil(), host.alarms(), hypervisor.instances());
    }

    /**
     * Join the heartbeat disk, if configured. The slot is claimed under a pool-wide Curator lock so two hosts
     * starting together cannot take the same free slot; without ZooKeeper the claim goes ahead unlocked
     * (logged), since a host must be able to start fenced during an outage.
     */
    private HeartbeatDisk startHeartbeat(long incarnation) throws IOException {
        if (!config.heartbeat().configured()) {
            journal.record(config.host().name(), "no heartbeat disk configured: ZooKeeper alone decides (an outage fences every host)");
            return new NoHeartbeatDisk();
        }
        heartbeat = new DiskHeartbeat(config.heartbeat().device(), config.pool(), config.host().name(), incarnation,
                config.heartbeat().intervalMs(), config.heartbeat().timeoutMs(), clock, journal);
        heartbeat.observeWrites(observability::heartbeatWritten);
        InterProcessMutex lock = new InterProcessMutex(client, "/vmha/" + config.pool() + "/locks/heartbeat-slots");
        heartbeat.start(claim -> {
            boolean locked;
            try {
                locked = lock.acquire(config.zookeeper().connectionTimeoutMs(), TimeUnit.MILLISECONDS);
            } catch (Exception unreachable) {
                locked = false;
            }
            if (!locked) {
                journal.record(config.host().name(), "heartbeat slot claimed without the pool lock (ZooKeeper unreachable)");
                return claim.call();
            }
            try {
                return claim.call();
            } finally {
                lock.release();
            }
        });
        return heartbeat;
    }

    /** Host-health monitors (NIC links, reachability, disk latency), if configured: sampled off the loop thread. */
    private void startHealth(String name) {
        if (!config.health().monitorsAnything()) return;
        health = new HostHealthRunner(name, config.health(), io.vmha.health.NicLinkMonitor.SYSFS, heartbeat,
                config.heartbeat().intervalMs(), clock, journal, wakeup::signal);
        host.monitorHealth(new io.vmha.core.HostHealthMonitors(name, config.health(), journal), health);
        health.start();
    }

    /**
     * Give ZooKeeper one connection timeout to confirm the lease before the first step, so a normal start
     * goes JOINING => ACTIVE; if it cannot be reached, the loop starts anyway and fences what it finds.
     */
    private void awaitFirstLease() throws InterruptedException {
        long deadline = clock.monotonicMillis() + config.zookeeper().connectionTimeoutMs();
        while (!coordination.connection().everContacted() && clock.monotonicMillis() < deadline) Thread.sleep(20);
        if (!coordination.connection().everContacted()) {
            journal.record(config.host().name(), "ZooKeeper at " + config.zookeeper().connect()
                    + " not reachable yet; starting fenced");
        }
    }

    /**
     * Leave the pool: stop the loop, stop this host's VMs (the master restarts them elsewhere once this
     * host's session is gone), then close the session.
     */
    @Override public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) return;
        loop.stop();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        host.leave();
        healthRunner.close(); // no reset or probe after the loop stopped
        if (health != null) health.close();
        for (String vm : hypervisor.instances().keySet()) {
            try {
                hypervisor.stop(vm, "daemon shutting down");
            } catch (HypervisorException e) {
                journal.record(config.host().name(), "could not stop " + vm + " on shutdown: " + e.getMessage());
            }
        }
        if (guard != null) guard.close(); // after the VMs are stopped: nothing left for it to kill
        if (heartbeat != null) heartbeat.close();
        if (tunnel != null) tunnel.close();
        observability.close();
        coordination.close();
        client.close();
        hypervisor.close();
        journal.record(config.host().name(), "stopped");
    }
}
