package io.vmha.chaos;

import io.vmha.coordination.PoolAdmin;
import io.vmha.core.Ownership;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The fault kinds of the chaos harness, each one method. A fault is built against the settled pool (it
 * picks its targets with the run's seeded generator), then {@link Fault#inject()} does it and, for a
 * timed fault, heals it before returning. Hosts a fault powered off are noted in {@link #crashed} for the
 * runner to boot again once their VMs were recovered elsewhere.
 */
final class ChaosFaults {
    enum Kind {
        HOST_CRASH("host-crash", "kill -9 of a host's process group (power loss: daemon and VMs)"),
        DAEMON_KILL("daemon-kill", "kill -9 of the daemon only (sim VMs exit with their daemon)"),
        PAUSE("pause", "SIGSTOP of a daemon past the session timeout, then SIGCONT"),
        PARTITION("partition", "one host cut from every ZooKeeper server (its proxies blackhole), then healed"),
        ZK_MAJORITY_LOSS("zk-majority-loss", "kill -9 of two of the three ZooKeeper servers, restarted later"),
        MASTER_CRASH_MID_FAILOVER("master-crash-mid-failover",
                "power loss of a host, then of the master as soon as it wrote the first reassignment"),
        HEARTBEAT_STALL("heartbeat-stall", "fsfreeze of the filesystem holding the heartbeat device, then thaw");

        final String label;
        final String description;

        Kind(String label, String description) {
            this.label = label;
            this.description = description;
        }
    }

    interface Action {
        void run() throws Exception;
    }

    /** One fault with its targets chosen; {@code inject} blocks until a timed fault is healed. */
    record Fault(Kind kind, String label, String host, Action action) {
        void inject() throws Exception { action.run(); }
    }

    static final long PAUSE_MILLIS = 8_000;

    private final ChaosPool pool;
    private final ZkEnsemble zk;
    private final HeartbeatDevice heartbeat;
    private final Random random;
    /** Hosts powered off (whole group or daemon) by a fault: the runner restarts them. */
    final Set<String> crashed = new ConcurrentSkipListSet<>();
    /** Hosts already targeted in this run (a sequence of two faults hits two different hosts). */
    private final Set<String> taken = new ConcurrentSkipListSet<>();
    /** Free text the faults add for the run's line (what they observed). */
    final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    /** The duration of the last partition built, in seconds. */
    volatile int partitionSeconds;

    ChaosFaults(ChaosPool pool, ZkEnsemble zk, HeartbeatDevice heartbeat, Random random) {
        this.pool = pool;
        this.zk = zk;
        this.heartbeat = heartbeat;
        this.random = random;
    }

    /** Build a fault of {@code kind} against the pool as it is now. */
    Fault build(Kind kind, PoolAdmin.PoolStatus s) {
        return switch (kind) {
            case HOST_CRASH -> hostCrash(pickHost(s, true));
            case DAEMON_KILL -> daemonKill(pickHost(s, true));
            case PAUSE -> pause(pickHost(s, true));
            case PARTITION -> partition(pickHost(s, true), random.nextBoolean() ? 3 : 10);
            case ZK_MAJORITY_LOSS -> zkMajorityLoss(random.nextBoolean() ? 5 : 8);
            case MASTER_CRASH_MID_FAILOVER -> masterCrashMidFailover(s);
            case HEARTBEAT_STALL -> heartbeatStall(10);
        };
    }

    /** A host owning at least one VM (any host if none does), not yet targeted; the master only if {@code masterOk}. */
    String pickHost(PoolAdmin.PoolStatus s, boolean masterOk) {
        List<String> candidates = new ArrayList<>();
        for (String h : s.memberMap().keySet()) {
            if (taken.contains(h) || (!masterOk && h.equals(s.master()))) continue;
            if (s.owners().stream().anyMatch(o -> o.ownedBy(h))) candidates.add(h);
        }
        if (candidates.isEmpty()) {
            for (String h : s.memberMap().keySet()) if (!taken.contains(h)) candidates.add(h);
        }
        String h = candidates.get(random.nextInt(candidates.size()));
        taken.add(h);
        return h;
    }

    Fault hostCrash(String host) {
        return new Fault(Kind.HOST_CRASH, "host-crash-" + host, host, () -> {
            crashed.add(host);
            pool.host(host).crash();
        });
    }

    Fault daemonKill(String host) {
        return new Fault(Kind.DAEMON_KILL, "daemon-kill-" + host, host, () -> {
            crashed.add(host);
            pool.host(host).killDaemon();
        });
    }

    /** SIGSTOP for {@link #PAUSE_MILLIS} (past the 6 s session), then SIGCONT. */
    Fault pause(String host) {
        return new Fault(Kind.PAUSE, "pause-" + host + "-" + PAUSE_MILLIS / 1000 + "s", host, () -> {
            ChaosHost h = pool.host(host);
            h.pause();
            try {
                Thread.sleep(PAUSE_MILLIS);
            } finally {
                h.resume();
            }
        });
    }

    Fault partition(String host, int seconds) {
        partitionSeconds = seconds;
        return new Fault(Kind.PARTITION, "partition-" + host + "-" + seconds + "s", host, () -> {
            ChaosHost h = pool.host(host);
            h.partition();
            try {
                Thread.sleep(seconds * 1000L);
            } finally {
                h.heal();
            }
        });
    }

    /** kill -9 of two servers for {@code seconds}, then both start again; returns once all three serve. */
    Fault zkMajorityLoss(int seconds) {
        List<Integer> servers = new ArrayList<>(List.of(0, 1, 2));
        Collections.shuffle(servers, random);
        List<Integer> victims = List.copyOf(servers.subList(0, 2));
        String names = zk.name(victims.get(0)) + "+" + zk.name(victims.get(1));
        return new Fault(Kind.ZK_MAJORITY_LOSS, "zk-majority-loss-" + names + "-" + seconds + "s", null, () -> {
            try {
                for (int i : victims) zk.kill(i);
                Thread.sleep(seconds * 1000L);
            } finally {
                for (int i : victims) zk.startServer(i);
            }
            long t0 = System.nanoTime();
            if (!zk.awaitServing(ZkEnsemble.SIZE, 60_000)) {
                throw new IllegalStateException("the ensemble did not re-form within 60 s: " + zk.modes());
            }
            notes.add(String.format("quorum back %.1f s after restart", (System.nanoTime() - t0) / 1e9));
        });
    }

    /**
     * Power loss of a host A (not the master), then of the master as soon as the first reassignment of
     * one of A's VMs reaches ZooKeeper: a data watch on each of A's {@code owners/<vm>} nodes fires on
     * the master's first write, and the master's process group is killed right then, so the new master
     * must finish a failover half done.
     */
    Fault masterCrashMidFailover(PoolAdmin.PoolStatus s) {
        String master = s.master();
        taken.add(master);
        String victim = pickHost(s, false);
        SortedMap<String, Long> owned = new TreeMap<>();
        for (Ownership o : s.owners()) if (o.ownedBy(victim)) owned.put(o.vm(), o.epoch());
        return new Fault(Kind.MASTER_CRASH_MID_FAILOVER, "master-crash-mid-failover-" + victim + "-then-" + master, victim, () -> {
            java.util.concurrent.BlockingQueue<String> changed = new java.util.concurrent.LinkedBlockingQueue<>();
            for (String vm : owned.keySet()) {
                pool.client().getData().usingWatcher((org.apache.zookeeper.Watcher) event -> {
                    if (event.getType() != org.apache.zookeeper.Watcher.Event.EventType.None) changed.add(vm);
                }).forPath(pool.ownerPath(vm));
            }
            crashed.add(victim);
            pool.host(victim).crash();
            long t0 = System.nanoTime();
            String vm = changed.poll(40, java.util.concurrent.TimeUnit.SECONDS);
            if (vm == null) throw new IllegalStateException("the master never reassigned a VM of " + victim + " within 40 s");
            crashed.add(master);
            pool.host(master).crash();
            double after = (System.nanoTime() - t0) / 1e9;
            PoolAdmin.PoolStatus st = pool.status();
            Ownership o = st == null ? null : st.ownerMap().get(vm);
            long moved = st == null ? -1 : owned.entrySet().stream().filter(e -> {
                Ownership x = st.ownerMap().get(e.getKey());
                return x != null && x.epoch() > e.getValue();
            }).count();
            notes.add(String.format(java.util.Locale.ROOT,
                    "master %s crashed %.1f s after %s, on its first reassignment (%s%s); %d of %d reassigned by then",
                    master, after, victim, vm, o == null ? "" : " -> " + o.host() + " e" + o.epoch(), moved, owned.size()));
            if (st != null && !st.master().isEmpty() && !st.master().equals(master) && !st.master().equals(victim)) {
                notes.add("new master " + st.master());
            }
        });
    }

    Fault heartbeatStall(int seconds) {
        return new Fault(Kind.HEARTBEAT_STALL, "heartbeat-stall-" + seconds + "s", null, () -> {
            heartbeat.freeze();
            try {
                Thread.sleep(seconds * 1000L);
            } finally {
                heartbeat.thaw();
            }
        });
    }
}
