package io.vmha.system.qemu;

import io.vmha.config.AgentConfig;
import io.vmha.coordination.Curators;
import io.vmha.coordination.PoolAdmin;
import io.vmha.core.HostCapacity;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import io.vmha.hypervisor.qemu.QemuConfig;
import io.vmha.system.SystemTools;
import io.vmha.zookeeper.EmbeddedZooKeeper;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A measurement, not a timing test: one {@code vmha agent} process (the packaged jar, the launcher's JVM options,
 * a YAML config with {@code hypervisor.driver: qemu}) on an embedded ZooKeeper runs {@value #VMS} qemu VMs (64 MiB,
 * diskless, TCG: the demo's). Prints the daemon's RSS (VmRSS), its CPU while idle over {@value #IDLE_SECONDS} s and
 * the qemus' total CPU over the same span (utime+stime from /proc/PID/stat), then kill -9 of qemu processes: time
 * to the owner record leaving RUNNING (detection, reported by the host) and to RUNNING again under a new instance.
 * The only bounds are generous sanity checks.
 */
class QemuAgentFootprintIT {
    static final int VMS = 20;
    static final int IDLE_SECONDS = 30;
    /** One kill per VM, one after the other: the issue asks for restart-issued p99 <= 1 s over 20 runs. */
    static final int KILLS = 20;
    static final String POOL = "footprint";
    /** The {@code ./vmha} launcher's default JVM options. */
    static final List<String> LAUNCHER_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    static final long TICKS = 100; // USER_HZ: /proc/PID/stat times are in 1/100 s on Linux

    final List<AutoCloseable> open = new ArrayList<>();
    Path dir;
    Process daemon;

    @AfterEach
    void cleanUp() throws IOException {
        if (daemon != null) {
            daemon.destroy(); // SIGTERM: the agent stops its VMs on the way out
            try {
                if (!daemon.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) daemon.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
        if (dir == null) return;
        List<ProcessHandle> left = QemuHypervisorIT.processesMentioning(dir.toString());
        QemuHypervisorIT.killAll(left);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertTrue(left.isEmpty(), "processes left behind: " + left);
    }

    @Test
    void oneAgentWithTwentyQemuVms() throws Exception {
        SystemTools.require("qemu-system-x86_64", "qemu-system-x86");
        SystemTools.require("setsid", "util-linux");
        Path jar = Path.of(System.getProperty("vmha.jar", "target/vmha.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "no packaged jar at " + jar + " (mvn -Psystem verify packages it)");
        dir = Files.createTempDirectory(Path.of("/tmp"), "vfp");
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir.resolve("zk"), 0);
        open.add(zk);
        zk.start();
        Path runDir = dir.resolve("run");
        AgentConfig config = new AgentConfig(POOL, new AgentConfig.Host("h1", new HostCapacity(8192, 64)),
                AgentConfig.ZooKeeper.withDefaults(zk.connectString()), AgentConfig.Fencing.DEFAULTS,
                AgentConfig.Restart.DEFAULTS, new AgentConfig.HypervisorConfig(AgentConfig.HypervisorConfig.QEMU, null,
                QemuConfig.defaults(runDir)), AgentConfig.Loop.DEFAULTS);
        Path yaml = dir.resolve("vmha.yaml");
        Files.writeString(yaml, config.toYaml());
        assertTrue(Files.readString(yaml).matches("(?s).*driver: \"?qemu\"?\n.*"), Files.readString(yaml));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(LAUNCHER_JVM);
        cmd.addAll(List.of("-jar", jar.toString(), "agent", "--config", yaml.toString()));
        daemon = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();

        CuratorFramework client = Curators.newClient(zk.connectString(), 6000, 5000);
        open.add(client);
        client.start();
        PoolAdmin admin = new PoolAdmin(client, POOL);
        awaitMs("h1 in the pool", 60_000, () -> admin.status().memberMap().containsKey("h1"));
        long t0 = System.nanoTime();
        for (int i = 1; i <= VMS; i++) {
            admin.addVm(new VmSpec(String.format("q%02d", i), 64, 1, "qemu", Map.of(), true, List.of()));
        }
        long allUpMs = awaitMs(VMS + " VMs RUNNING", 300_000, () -> running(admin).size() == VMS);
        System.out.printf("QemuAgentFootprintIT: %d qemu VMs added -> all RUNNING in %d ms%n", VMS, allUpMs);
        assertEquals(VMS, qemuPids(runDir).size(), "one qemu per VM");

        Thread.sleep(10_000); // let start-up work (JIT, first guest boots) settle before measuring idle
        long pid = daemon.pid();
        SortedMap<Long, Long> qemuBefore = cpuTicks(qemuPids(runDir));
        long daemonBefore = cpuTicks(pid);
        long m0 = System.nanoTime();
        Thread.sleep(IDLE_SECONDS * 1000L);
        double seconds = (System.nanoTime() - m0) / 1e9;
        long daemonTicks = cpuTicks(pid) - daemonBefore;
        SortedMap<Long, Long> qemuAfter = cpuTicks(qemuPids(runDir));
        long qemuTicks = 0;
        for (Map.Entry<Long, Long> e : qemuAfter.entrySet()) {
            qemuTicks += e.getValue() - qemuBefore.getOrDefault(e.getKey(), e.getValue());
        }
        long rssKib = rssKib(pid);
        double daemonPct = 100.0 * daemonTicks / TICKS / seconds;
        double qemuPct = 100.0 * qemuTicks / TICKS / seconds;
        System.out.printf("QemuAgentFootprintIT: vmha agent pid %d (%s): VmRSS %d MiB; idle CPU %.1f %% of one core over"
                        + " %.0f s; %d qemus together %.1f %% of one core (%.1f %% each); machine has %d cores%n",
                pid, String.join(" ", LAUNCHER_JVM), rssKib / 1024, daemonPct, seconds, qemuAfter.size(), qemuPct,
                qemuPct / qemuAfter.size(), Runtime.getRuntime().availableProcessors());
        assertTrue(rssKib > 10_000 && rssKib < 2_000_000, "implausible RSS " + rssKib + " KiB");
        assertTrue(daemonPct < 100, "the idle daemon used " + daemonPct + " % of a core");

        List<Long> detect = new ArrayList<>();
        List<Long> issued = new ArrayList<>();
        List<Long> restart = new ArrayList<>();
        for (int k = 0; k < KILLS; k++) {
            String vm = String.format("q%02d", 1 + k % VMS);
            Ownership before = admin.status().ownerMap().get(vm);
            long qemu = Long.parseLong(Files.readString(runDir.resolve(vm + ".pid")).strip());
            long k0 = System.nanoTime();
            ProcessHandle.of(qemu).orElseThrow().destroyForcibly(); // SIGKILL
            detect.add(awaitMs(vm + " no longer RUNNING as " + before.instance(), k0, 30_000, () -> {
                Ownership o = admin.status().ownerMap().get(vm);
                return !(o.state() == VmState.RUNNING && o.instance().equals(before.instance()));
            }));
            // The master has issued the restart once the record holds a newer epoch (STARTING, then RUNNING).
            issued.add(awaitMs(vm + " restart issued", k0, 30_000, () -> admin.status().ownerMap().get(vm).epoch() > before.epoch()));
            restart.add(awaitMs(vm + " RUNNING again", k0, 60_000, () -> {
                Ownership o = admin.status().ownerMap().get(vm);
                return o.state() == VmState.RUNNING && !o.instance().equals(before.instance());
            }));
            Thread.sleep(1000);
        }
        System.out.printf("QemuAgentFootprintIT: kill -9 of qemu (%d runs, ZooKeeper polled every 5 ms): owner record"
                + " leaves RUNNING after %s ms; restart issued (new epoch) after %s ms; RUNNING again (new instance)"
                + " after %s ms%n", KILLS, detect, issued, restart);
        System.out.printf("QemuAgentFootprintIT: restart issued p50 %d ms, p99 %d ms; running again p50 %d ms, p99 %d ms%n",
                percentile(issued, 50), percentile(issued, 99), percentile(restart, 50), percentile(restart, 99));
        assertEquals(VMS, running(admin).size(), "every VM running again");
        assertTrue(percentile(issued, 99) <= 1_000, "restart issued p99 " + percentile(issued, 99) + " ms > 1 s: " + issued);
    }

    static List<Ownership> running(PoolAdmin admin) throws Exception {
        return admin.status().owners().stream().filter(o -> o.state() == VmState.RUNNING && o.ownedBy("h1")).toList();
    }

    static List<Long> qemuPids(Path runDir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().orElse("").endsWith("qemu-system-x86_64"))
                .filter(p -> io.vmha.hypervisor.sim.SimTestSupport.cmdline(p.pid()).contains(runDir.toString()))
                .map(ProcessHandle::pid).toList();
    }

    static SortedMap<Long, Long> cpuTicks(List<Long> pids) throws IOException {
        SortedMap<Long, Long> ticks = new TreeMap<>();
        for (long p : pids) ticks.put(p, cpuTicks(p));
        return ticks;
    }

    /** utime + stime of {@code pid}, fields 14 and 15 of /proc/PID/stat (after the parenthesised name). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return fail("no VmRSS in /proc/" + pid + "/status");
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static long awaitMs(String what, long timeoutMs, Check check) throws Exception {
        return awaitMs(what, System.nanoTime(), timeoutMs, check);
    }

    static long awaitMs(String what, long t0, long timeoutMs, Check check) throws Exception {
        while (!check.holds()) {
            if (System.nanoTime() - t0 > timeoutMs * 1_000_000) fail("timed out after " + timeoutMs + " ms waiting for " + what);
            Thread.sleep(5);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Nearest-rank percentile. */
    static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
