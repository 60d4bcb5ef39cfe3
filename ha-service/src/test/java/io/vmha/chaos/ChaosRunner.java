package io.vmha.chaos;

import io.vmha.checker.DoubleRunChecker;
import io.vmha.coordination.Curators;
import io.vmha.coordination.PoolAdmin;
import io.vmha.core.VmSpec;
import org.apache.curator.framework.CuratorFramework;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The chaos harness: one real 3-server ZooKeeper ensemble shared by every run, and per run a fresh pool
 * (its own name, so its own chroot) of vmha host processes with sim VMs, one fault (or a seeded sequence
 * of two), recovery, and the independent {@link DoubleRunChecker} as the judge.
 *
 * <p>A run passes iff the checker finds zero double runs (and no malformed disk line) and, at the end,
 * every HA VM runs: RUNNING on a live member in {@code owners/} and that very instance (owner host and
 * epoch are in the instance id) wrote its disk within the last second. A fault whose outcome is a known
 * limitation of the build under test (a SIGSTOPped daemon with no fence guard running) is run and
 * reported, loudly, as not judged; it never counts as passed.
 *
 * <p>Settings (system properties): {@code vmha.jar}, {@code chaos.dir}, {@code chaos.seed} (1),
 * {@code chaos.runs} judged runs (20), {@code chaos.hosts} (4), {@code chaos.vms} (8),
 * {@code chaos.heartbeat} auto|on|off (auto: on when the CLI has {@code heartbeat init}),
 * {@code chaos.kinds} (comma-separated fault labels to restrict the rotation), {@code chaos.only} (run
 * only that run number of the seeded plan, to replay it), {@code chaos.guard} (true: {@code fencing.guard} in
 * the hosts' configs; false shows the paused-daemon limitation), {@code chaos.strict} (judge known
 * limitations and findings too: a paused daemon without its guard then fails, which proves the judge is
 * not vacuous; needless restarts (after a ZooKeeper outage or a heartbeat stall with the heartbeat disk
 * configured, or after a partition shorter than the lease) fail too instead of being reported as findings).
 */
final class ChaosRunner {
    enum Status { OK, FAIL, KNOWN_LIMITATION }

    record RunResult(int index, String label, List<ChaosFaults.Kind> kinds, Status status, String reason,
                     int doubleRuns, long confirmed, long total, Double recoverySeconds, int restartedVms,
                     double wallSeconds, String notes, List<String> findings) {
        String line() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "run %02d %s: ", index, label));
            switch (status) {
                case OK -> b.append("ok").append(findings.isEmpty() ? "" : " with FINDING (" + String.join("; ", findings) + ")");
                case FAIL -> b.append("FAIL (").append(reason).append(')');
                default -> b.append("KNOWN LIMITATION, not judged (").append(reason).append(')');
            }
            b.append(", double_runs ").append(doubleRuns).append(", recovered ").append(confirmed).append('/').append(total);
            if (restartedVms == 0) b.append(", no VM restarted");
            else b.append(String.format(Locale.ROOT, " in %.1f s (%d VMs restarted)", recoverySeconds, restartedVms));
            b.append(String.format(Locale.ROOT, ", run took %.0f s", wallSeconds));
            if (!notes.isEmpty()) b.append("; ").append(notes);
            return b.toString();
        }
    }

    private static final List<ChaosFaults.Kind> ROTATION = List.of(ChaosFaults.Kind.HOST_CRASH,
            ChaosFaults.Kind.PARTITION, ChaosFaults.Kind.DAEMON_KILL, ChaosFaults.Kind.ZK_MAJORITY_LOSS,
            ChaosFaults.Kind.MASTER_CRASH_MID_FAILOVER, ChaosFaults.Kind.PAUSE, ChaosFaults.Kind.HEARTBEAT_STALL);
    private static final long SETTLE_TIMEOUT_MS = 60_000;
    private static final long RECOVERY_TIMEOUT_MS = 60_000;
    private static final long FRESH_MS = 600;

    private final Path jar;
    private final Path dir;
    private final long seed;
    private final int target;
    private final int hostsPerRun;
    private final int vmsPerRun;
    private final String heartbeatMode;
    private final Set<ChaosFaults.Kind> allowed;
    private final int only;
    private final boolean guard;
    private final boolean strict;
    private final PrintStream console;
    private final Path resultsFile;

    private final Map<ChaosFaults.Kind, String> disabled = new LinkedHashMap<>();
    private boolean guardSeen;
    private ZkEnsemble zk;
    private CuratorFramework client;
    private HeartbeatDevice heartbeat;
    private volatile ChaosPool current;
    private final List<RunResult> results = new ArrayList<>();

    ChaosRunner(PrintStream console) {
        this.console = console;
        this.jar = Path.of(System.getProperty("vmha.jar", "target/vmha.jar")).toAbsolutePath();
        this.dir = Path.of(System.getProperty("chaos.dir", "target/chaos")).toAbsolutePath();
        this.seed = Long.getLong("chaos.seed", 1);
        this.target = Integer.getInteger("chaos.runs", 20);
        this.hostsPerRun = Integer.getInteger("chaos.hosts", 4);
        this.vmsPerRun = Integer.getInteger("chaos.vms", 8);
        this.heartbeatMode = System.getProperty("chaos.heartbeat", "auto");
        this.only = Integer.getInteger("chaos.only", 0);
        this.guard = Boolean.parseBoolean(System.getProperty("chaos.guard", "true"));
        this.strict = Boolean.getBoolean("chaos.strict");
        String kinds = System.getProperty("chaos.kinds", "");
        Set<ChaosFaults.Kind> set = EnumSet.noneOf(ChaosFaults.Kind.class);
        for (ChaosFaults.Kind k : ChaosFaults.Kind.values()) {
            if (kinds.isBlank() || List.of(kinds.split(",")).contains(k.label)) set.add(k);
        }
        this.allowed = set;
        this.resultsFile = dir.resolve("results.txt");
    }

    List<RunResult> results() { return results; }

    int judgedTarget() { return only > 0 ? 1 : target; }

    /** Run the whole invocation; returns the number of failed runs. */
    int runAll() throws Exception {
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("vmha.jar not built at " + jar);
        HeartbeatDevice.unmountUnder(dir); // left by an invocation that was killed
        deleteTree(dir); // ZooKeeper data, pools and disks of an earlier invocation must not leak into this one
        Files.createDirectories(dir);
        Thread hook = new Thread(this::shutdown, "chaos-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            say(String.format(Locale.ROOT, "chaos: seed %d, %d judged runs, %d hosts x %d VMs per run, fencing.guard=%s, dir %s",
                    seed, judgedTarget(), hostsPerRun, vmsPerRun, guard, dir));
            setUpHeartbeat();
            zk = new ZkEnsemble(dir.resolve("zookeeper"), jar);
            long zkStart = System.nanoTime();
            zk.start();
            say(String.format(Locale.ROOT, "chaos: ZooKeeper ensemble of 3 processes serving in %.1f s (%s)",
                    (System.nanoTime() - zkStart) / 1e9, zk.modes()));
            client = Curators.newClient(zk.connectString(), 10_000, 3_000);
            client.start();
            if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) throw new IllegalStateException("admin client cannot connect");

            // The plan depends only on the seed and the run number (so -Dchaos.only replays a run): every
            // 4th run is a sequence of two faults, the others rotate through the kinds available.
            List<ChaosFaults.Kind> rotation = new ArrayList<>(ROTATION);
            rotation.removeIf(k -> !allowed.contains(k) || disabled.containsKey(k));
            if (rotation.isEmpty()) throw new IllegalStateException("no fault kind to run: " + allowed + ", " + disabled);
            int judged = 0;
            int index = 0;
            while (judged < judgedTarget() && index < judgedTarget() + 5 + (only > 0 ? only : 0)) {
                index++;
                Random random = new Random(mix(seed, index));
                List<ChaosFaults.Kind> plan = new ArrayList<>();
                if (index % 4 == 0 && rotation.size() > 1) {
                    plan.addAll(combo(random));
                } else {
                    int slot = index - 1 - (index - 1) / 4;
                    ChaosFaults.Kind k = rotation.get(slot % rotation.size());
                    if (disabled.containsKey(k)) { // turned off by an earlier run (a pause without a fence guard)
                        List<ChaosFaults.Kind> rest = new ArrayList<>(rotation);
                        rest.removeIf(disabled::containsKey);
                        if (rest.isEmpty()) {
                            say("chaos: no fault kind left to run (" + disabled + ")");
                            break;
                        }
                        k = rest.get(slot % rest.size());
                    }
                    plan.add(k);
                }
                if (only > 0 && index != only) continue;
                RunResult r = runOne(index, plan, random);
                results.add(r);
                say(r.line());
                if (r.status() != Status.KNOWN_LIMITATION) judged++;
            }
            summary((System.nanoTime() - t0) / 1e9);
            return (int) results.stream().filter(r -> r.status() == Status.FAIL).count();
        } finally {
            shutdown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** Two different kinds for a sequence, from those that combine (one host each, or the ensemble). */
    private List<ChaosFaults.Kind> combo(Random random) {
        List<ChaosFaults.Kind> pool = new ArrayList<>(List.of(ChaosFaults.Kind.HOST_CRASH, ChaosFaults.Kind.DAEMON_KILL,
                ChaosFaults.Kind.PARTITION, ChaosFaults.Kind.ZK_MAJORITY_LOSS));
        if (guardSeen) pool.add(ChaosFaults.Kind.PAUSE);
        if (!disabled.containsKey(ChaosFaults.Kind.HEARTBEAT_STALL)) pool.add(ChaosFaults.Kind.HEARTBEAT_STALL);
        pool.removeIf(k -> !allowed.contains(k) || disabled.containsKey(k));
        if (pool.isEmpty()) pool.addAll(allowed);
        ChaosFaults.Kind a = pool.get(random.nextInt(pool.size()));
        // One ensemble and one heartbeat filesystem: those faults cannot overlap with themselves.
        if ((a == ChaosFaults.Kind.ZK_MAJORITY_LOSS || a == ChaosFaults.Kind.HEARTBEAT_STALL) && pool.size() > 1) pool.remove(a);
        ChaosFaults.Kind b = pool.get(random.nextInt(pool.size()));
        return List.of(a, b);
    }

    private void setUpHeartbeat() throws Exception {
        String unavailable = switch (heartbeatMode) {
            case "off" -> "chaos.heartbeat=off";
            case "on", "auto" -> HeartbeatDevice.initUnavailable(jar);
            default -> throw new IllegalArgumentException("chaos.heartbeat must be auto, on or off, not " + heartbeatMode);
        };
        if (unavailable != null && heartbeatMode.equals("on")) {
            throw new IllegalStateException("chaos.heartbeat=on but " + unavailable);
        }
        if (unavailable != null) {
            say("chaos: no heartbeat device: " + unavailable + " (pools rely on ZooKeeper alone)");
            disabled.put(ChaosFaults.Kind.HEARTBEAT_STALL, "no heartbeat device: " + unavailable);
            return;
        }
        heartbeat = HeartbeatDevice.create(jar, dir);
        say("chaos: heartbeat devices formatted by 'vmha heartbeat init', " + heartbeat.where());
        if (!heartbeat.freezable()) {
            disabled.put(ChaosFaults.Kind.HEARTBEAT_STALL, "a stall needs a freezable filesystem: " + heartbeat.freezeUnavailable());
        }
    }

    private RunResult runOne(int index, List<ChaosFaults.Kind> plan, Random random) throws Exception {
        long start = System.nanoTime();
        String poolName = String.format(Locale.ROOT, "chaos-s%d-r%02d", seed, index);
        Path runDir = dir.resolve(String.format(Locale.ROOT, "run-%02d", index));
        Path device = heartbeat == null ? null : heartbeat.format(poolName, hostsPerRun);
        ChaosPool pool = new ChaosPool(poolName, runDir, jar, zk, client, device, guard);
        current = pool;
        ChaosFaults faults = new ChaosFaults(pool, zk, heartbeat, random);
        String label = plan.stream().map(k -> k.label).reduce((a, b) -> a + "+" + b).orElse("");
        Status status = Status.OK;
        List<String> reasons = new ArrayList<>();
        String unjudged = null;
        long faultAt = nowMicros();
        long total = vmsPerRun;
        long confirmed = 0;
        try {
            pool.startHosts(hostsPerRun, vmsPerRun);
            if (!pool.await(s -> ChaosPool.membersActive(s, hostsPerRun), SETTLE_TIMEOUT_MS, 100)) {
                throw new RunFailure("hosts did not join: " + ChaosPool.describe(pool.status()));
            }
            pool.addVms(vmsPerRun);
            if (!pool.await(s -> ChaosPool.membersActive(s, hostsPerRun) && pool.allRunningConfirmed(s, FRESH_MS),
                    SETTLE_TIMEOUT_MS, 100)) {
                throw new RunFailure("pool did not settle: " + ChaosPool.describe(pool.status()));
            }
            Thread.sleep(1000);
            PoolAdmin.PoolStatus before = pool.status();
            if (before == null) throw new RunFailure("ZooKeeper does not answer before the fault");

            // Build the faults against the settled pool, decide whether this run is judged, inject.
            List<ChaosFaults.Fault> built = new ArrayList<>();
            for (ChaosFaults.Kind k : plan) built.add(faults.build(k, before));
            label = built.stream().map(ChaosFaults.Fault::label).reduce((a, b) -> a + "+" + b).orElse("");
            for (ChaosFaults.Fault f : built) {
                if (f.kind() != ChaosFaults.Kind.PAUSE) continue;
                ChaosHost h = pool.host(f.host());
                List<Signals.Proc> guards = h.guards();
                if (pool.guardConfigured() && !guards.isEmpty()) {
                    guardSeen = true;
                    faults.notes.add("fence guard on " + h.name + ": pid " + guards.get(0).pid());
                } else {
                    unjudged = (pool.guardConfigured() ? "fencing.guard=true but no fence guard process runs on "
                            : "fencing.guard=false on ") + h.name + ": a daemon paused past its session can run a VM twice";
                }
            }
            long offsetMs = built.size() > 1 ? random.nextInt(4001) : 0;
            if (built.size() > 1) label += String.format(Locale.ROOT, "@%.1fs", offsetMs / 1000.0);
            faultAt = nowMicros();
            inject(built, offsetMs);
            // A VM counts as running only on a write made after the faults were injected (and healed):
            // an instance that died with its host cannot make one.
            long injected = nowMicros() + 300_000;

            // Recovery: every HA VM runs again, confirmed by its disk, on the hosts that are still up.
            if (!pool.await(s -> pool.allRunningConfirmed(s, FRESH_MS, injected), RECOVERY_TIMEOUT_MS, 100)) {
                throw new RunFailure("not recovered within " + RECOVERY_TIMEOUT_MS / 1000 + " s: " + ChaosPool.describe(pool.status()));
            }
            // Power the crashed hosts back on; the pool must take them back without disturbing anything.
            for (String h : faults.crashed) pool.host(h).start();
            if (!pool.await(s -> ChaosPool.membersActive(s, hostsPerRun) && pool.allRunningConfirmed(s, FRESH_MS),
                    RECOVERY_TIMEOUT_MS, 100)) {
                throw new RunFailure("pool not whole again within " + RECOVERY_TIMEOUT_MS / 1000 + " s: "
                        + ChaosPool.describe(pool.status()));
            }
            // Late effects (a guard firing, a restart in place) must have played out: quiet for a while,
            // then whole again, then the final look.
            Thread.sleep(2000);
            if (!pool.await(s -> ChaosPool.membersActive(s, hostsPerRun) && pool.allRunningConfirmed(s, FRESH_MS),
                    RECOVERY_TIMEOUT_MS / 2, 100)) {
                throw new RunFailure("pool not whole again after settling: " + ChaosPool.describe(pool.status()));
            }
            Thread.sleep(1000);
            PoolAdmin.PoolStatus end = pool.status();
            if (end == null) throw new RunFailure("ZooKeeper does not answer at the end");
            total = end.vms().stream().filter(VmSpec::haEnabled).count();
            confirmed = pool.runningConfirmed(end, 1000, 0);
            if (confirmed != total) reasons.add("only " + confirmed + "/" + total + " HA VMs run at the end: " + ChaosPool.describe(end));
        } catch (RunFailure e) {
            reasons.add(e.getMessage());
        } catch (Exception e) {
            reasons.add("harness error: " + e);
            e.printStackTrace(console);
        } finally {
            try {
                Files.write(runDir.resolve("events.txt"), pool.events(), StandardCharsets.UTF_8);
            } catch (IOException ignored) {
                // best effort
            }
            pool.close();
            current = null;
        }

        DoubleRunChecker.Result check = DoubleRunChecker.check(pool.disks());
        Files.writeString(runDir.resolve("checker.txt"), DoubleRunChecker.describe(check));
        int restarted = 0;
        double recovery = 0;
        for (String vm : check.spansByVm().keySet()) {
            OptionalLong first = check.firstWriteOfInstanceStartedAfter(vm, faultAt);
            if (first.isPresent()) {
                restarted++;
                recovery = Math.max(recovery, (first.getAsLong() - faultAt) / 1e6);
            }
        }
        if (!check.doubleRuns().isEmpty()) {
            reasons.add(check.doubleRuns().size() + " double run(s), first: " + check.doubleRuns().get(0));
        }
        if (check.totalMalformedLines() > 0) reasons.add(check.totalMalformedLines() + " malformed disk lines");
        // Beyond the run criterion (no double run, every VM running at the end): needless restarts. Reported
        // as findings; chaos.strict makes them failures.
        List<String> findings = new ArrayList<>();
        if (heartbeat != null && restarted > 0 && plan.size() == 1
                && (plan.get(0) == ChaosFaults.Kind.ZK_MAJORITY_LOSS || plan.get(0) == ChaosFaults.Kind.HEARTBEAT_STALL)) {
            findings.add(restarted + " VMs restarted although the heartbeat disk should have kept them running (false fence: "
                    + fencedHosts(runDir) + ")");
        }
        if (plan.size() == 1 && plan.get(0) == ChaosFaults.Kind.PARTITION && restarted > 0
                && faults.partitionSeconds * 1000L < leaseMillis()) {
            findings.add(restarted + " VMs restarted although the partition (" + faults.partitionSeconds
                    + " s) was shorter than the lease (" + leaseMillis() + " ms): a false fence (" + fencedHosts(runDir) + ")");
        }
        if (strict) {
            reasons.addAll(findings);
            findings.clear();
        }
        String reason;
        if (unjudged != null && strict) { // judged like any run: the double runs it finds fail it
            faults.notes.add("judged although a known limitation (chaos.strict): " + unjudged);
            unjudged = null;
        }
        if (unjudged != null) {
            status = Status.KNOWN_LIMITATION;
            disabled.put(ChaosFaults.Kind.PAUSE, unjudged);
            reason = unjudged + (reasons.isEmpty() ? "" : "; observed: " + String.join("; ", reasons));
        } else {
            status = reasons.isEmpty() ? Status.OK : Status.FAIL;
            reason = String.join("; ", reasons);
        }
        List<String> notes = new ArrayList<>(faults.notes);
        if (heartbeat == null && plan.contains(ChaosFaults.Kind.ZK_MAJORITY_LOSS) && restarted > 0) {
            notes.add("VMs restarted after the outage: expected without a heartbeat disk (every host fences)");
        }
        RunResult r = new RunResult(index, label, List.copyOf(plan), status, reason, check.doubleRuns().size(), confirmed,
                total, restarted == 0 ? null : recovery, restarted, (System.nanoTime() - start) / 1e9, String.join("; ", notes),
                List.copyOf(findings));
        Files.writeString(runDir.resolve("result.txt"), r.line() + "\n");
        return r;
    }

    /** The first fault now, the second {@code offsetMs} later; returns once both returned (timed ones healed). */
    private static void inject(List<ChaosFaults.Fault> faults, long offsetMs) throws Exception {
        if (faults.size() == 1) {
            faults.get(0).inject();
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(faults.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < faults.size(); i++) {
                ChaosFaults.Fault f = faults.get(i);
                long delay = i * offsetMs;
                running.add(pool.submit(() -> {
                    Thread.sleep(delay);
                    f.inject();
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get(120, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void summary(double wallSeconds) {
        say("");
        say("per fault kind (single-fault runs; sequences of two listed as combo):");
        Map<String, List<RunResult>> byKind = new LinkedHashMap<>();
        for (ChaosFaults.Kind k : ChaosFaults.Kind.values()) byKind.put(k.label, new ArrayList<>());
        byKind.put("combo", new ArrayList<>());
        for (RunResult r : results) byKind.get(r.kinds().size() > 1 ? "combo" : r.kinds().get(0).label).add(r);
        for (Map.Entry<String, List<RunResult>> e : byKind.entrySet()) {
            List<RunResult> rs = e.getValue();
            if (rs.isEmpty()) continue;
            long ok = rs.stream().filter(r -> r.status() == Status.OK).count();
            long failed = rs.stream().filter(r -> r.status() == Status.FAIL).count();
            long unjudged = rs.size() - ok - failed;
            List<Double> rec = rs.stream().filter(r -> r.recoverySeconds() != null).map(RunResult::recoverySeconds).sorted().toList();
            String recovery = rec.isEmpty() ? "no VM restarted" : String.format(Locale.ROOT, "recovery p50 %.1f s, max %.1f s",
                    rec.get((rec.size() - 1) / 2), rec.get(rec.size() - 1));
            say(String.format(Locale.ROOT, "  %-26s %2d runs: %d ok, %d failed%s; double_runs %d; %s", e.getKey(), rs.size(), ok,
                    failed, unjudged > 0 ? ", " + unjudged + " NOT JUDGED" : "",
                    rs.stream().mapToInt(RunResult::doubleRuns).sum(), recovery));
        }
        for (Map.Entry<ChaosFaults.Kind, String> e : disabled.entrySet()) {
            boolean ran = results.stream().anyMatch(r -> r.kinds().contains(e.getKey()));
            say("SKIPPED " + e.getKey().label + (ran ? " (after one unjudged run)" : "") + ": " + e.getValue());
        }
        for (RunResult r : results) {
            if (r.status() == Status.KNOWN_LIMITATION) {
                say("KNOWN LIMITATION, NOT A PASS: run " + String.format(Locale.ROOT, "%02d", r.index()) + " " + r.label()
                        + " (double_runs " + r.doubleRuns() + "): " + r.reason());
            }
        }
        for (RunResult r : results) {
            for (String f : r.findings()) {
                say("FINDING (no double run, VMs all back, so not a failure; -Dchaos.strict=true fails it): run "
                        + String.format(Locale.ROOT, "%02d", r.index()) + " " + r.label() + ": " + f);
            }
        }
        long passed = results.stream().filter(r -> r.status() == Status.OK).count();
        long failed = results.stream().filter(r -> r.status() == Status.FAIL).count();
        say(String.format(Locale.ROOT, "chaos: wall time %.0f s (%dm%02ds) for %d runs, seed %d", wallSeconds,
                (long) wallSeconds / 60, (long) wallSeconds % 60, results.size(), seed));
        if (passed + failed < judgedTarget()) {
            say("chaos: only " + (passed + failed) + " judged runs, fewer than the " + judgedTarget() + " required");
        }
        say(passed + " passed, " + failed + " failed");
    }

    private synchronized void shutdown() {
        ChaosPool pool = current;
        if (pool != null) pool.close();
        if (client != null) {
            client.close();
            client = null;
        }
        if (zk != null) zk.close();
        if (heartbeat != null) heartbeat.close();
    }

    private void say(String line) {
        console.println(line);
        console.flush();
        try {
            Files.writeString(resultsFile, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            console.println("(cannot write " + resultsFile + ": " + e + ")");
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Which hosts logged entering FENCED, and how often guards fired, from the run's host logs. */
    private static String fencedHosts(Path runDir) {
        List<String> fenced = new ArrayList<>();
        try (var logs = Files.newDirectoryStream(runDir.resolve("logs"), "*.log")) {
            for (Path log : logs) {
                long n;
                try (var lines = Files.lines(log)) {
                    n = lines.filter(l -> l.contains("=> FENCED")).count();
                }
                if (n > 0) fenced.add(log.getFileName().toString().replace(".log", "") + (n > 1 ? " x" + n : ""));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return "hosts' logs unreadable";
        }
        java.util.Collections.sort(fenced);
        return fenced.isEmpty() ? "no host logged FENCED; a fence guard fired?" : "FENCED: " + String.join(", ", fenced);
    }

    /** The hosts' lease: session - stop deadline - margin, from the defaults the pools run with. */
    private static long leaseMillis() {
        return io.vmha.config.AgentConfig.ZooKeeper.DEFAULT_SESSION_TIMEOUT_MS - io.vmha.config.AgentConfig.Fencing.DEFAULTS.stopDeadlineMs()
                - io.vmha.config.AgentConfig.Fencing.DEFAULTS.safetyMarginMs();
    }

    /** A well-spread seed per run (java.util.Random's first draws follow nearby seeds too closely). */
    static long mix(long seed, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    /** A run that cannot go on: the pool did not settle or recover. */
    static final class RunFailure extends Exception {
        RunFailure(String message) { super(message); }
    }
}
