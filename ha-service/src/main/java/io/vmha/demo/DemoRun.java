package io.vmha.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmha.checker.DoubleRunChecker;
import io.vmha.coordination.PoolAdmin;
import io.vmha.coordination.PoolEvent;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code vmha demo}: bring a pool up, then either watch it (interactive) or run one scenario. */
public final class DemoRun {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final int hosts;
    private final int vms;
    private final int failures;
    private final long seed;
    private final Path dir;
    private final Path endpoints;
    private final long timeoutMillis;
    private final PrintStream out;
    private final long durationMillis;

    private String driver = "sim";

    /** Run the pool's VMs on {@code driver} ({@code sim} or {@code qemu}). */
    public DemoRun driver(String driver) {
        this.driver = driver;
        return this;
    }

    public DemoRun(int hosts, int vms, int failures, long seed, Path dir, Path endpoints, long timeoutMillis,
                   long durationMillis, PrintStream out) {
        this.durationMillis = durationMillis;
        this.hosts = hosts;
        this.vms = vms;
        this.failures = failures;
        this.seed = seed;
        this.dir = dir;
        this.endpoints = endpoints;
        this.timeoutMillis = timeoutMillis;
        this.out = out;
    }

    /** Run until interrupted; Ctrl-C (or SIGTERM) tears everything down through the shutdown hook. */
    public int interactive() throws Exception {
        DemoPool pool = up(false);
        out.println();
        out.println("vmha demo pool '" + DemoPool.POOL + "' is up. Where to look:");
        out.println("  status:     ./vmha status --zk " + pool.connectString());
        out.println("  vms:        ./vmha vm list --zk " + pool.connectString());
        out.println("  add a vm:   ./vmha vm add web1 --memory-mib 512 --zk " + pool.connectString());
        out.println("  events:     ./vmha events --zk " + pool.connectString());
        pool.endpoints().forEach((host, e) -> out.println("  " + host + ":         metrics " + e.prometheus() + "   jolokia "
                + e.jolokia()));
        out.println("  jolokia:    credentials in " + pool.jolokiaCredentials() + ", e.g. curl -u monitor:PASSWORD "
                + pool.endpoints().values().stream().map(e -> e.jolokia()).findFirst().orElse("URL") + "read/vmha:type=Pool");
        out.println("  host logs:  " + pool.dir().resolve("logs"));
        out.println("  heartbeat:  ./vmha heartbeat dump --device " + pool.heartbeat());
        out.println("  vm disks:   " + pool.disks() + "   (./vmha check --disks " + pool.disks() + ")");
        out.println(driver.equals("qemu") ? "  crash a vm: kill -9 $(cat " + pool.host("h1").stateDir + "/<vm>.pid)"
                : "  crash a vm: kill -9 $(jq .pid " + pool.dir().resolve("hosts/h1/sim") + "/<vm>.json)");
        out.println("Ctrl-C stops the pool and every process it started.");
        Console console = System.console();
        long lines = 0;
        while (true) {
            String line = StatusLine.of(pool.status());
            if (console != null) {
                out.print("\r\033[K" + line);
                out.flush();
            } else if (lines++ % 5 == 0) {
                out.println(line);
            }
            Thread.sleep(1000);
        }
    }

    /** Run one scenario; true if every invariant held. */
    public boolean scenario(String name, Path reportFile) throws Exception {
        Scenarios.validate(name, hosts, vms, failures);
        boolean stallable = name.equals("disk-stall");
        if (stallable) LoopFilesystem.checkAvailable();
        boolean hang = name.equals("guest-hang");
        boolean qemuHang = hang && driver.equals("qemu");
        // Before anything starts: a missing Debian package fails the demo at once, named.
        TinyGuestImage guest = qemuHang ? TinyGuestImage.build(out) : null;
        io.vmha.core.VmHealth health = !hang ? io.vmha.core.VmHealth.DEFAULT : qemuHang ? QemuGuestHang.HEALTH : GuestHang.HEALTH;
        Map<String, Object> report;
        try (DemoPool pool = up(stallable, health, guest)) {
            Set<String> atStart = new TreeSet<>(pool.status().vmMap().keySet());
            Thread.sleep(1000); // a second of steady state: every VM has a history before the fault
            Scenarios scenarios = new Scenarios(pool, seed, out, timeoutMillis, durationMillis);
            List<Fault> faults = scenarios.run(name, failures);
            Thread.sleep(2000); // keep running after recovery, so a double run would show on the disks
            PoolAdmin.PoolStatus end = pool.status();
            List<PoolEvent> events = pool.admin().events(0);
            pool.close(); // stop every writer before judging the disks
            DoubleRunChecker.Result check = DoubleRunChecker.check(pool.disks());
            if (hang && !qemuHang) scenarios.guestHang.judge(faults.get(0), check, scenarios.checks);
            java.util.List<Double> detection = qemuHang ? scenarios.qemuGuestHang.judge(events, check, scenarios.checks) : null;
            report = DemoReport.build(name, hosts, vms, failures, seed, faults, check, end, atStart, events,
                    pool.fencesLogged(), scenarios.checks);
            if (name.equals("migration") && driver.equals("qemu")) {
                report.put("migration_seconds", DemoReport.percentiles(scenarios.migration.seconds()));
                report.put("migration_measured", "request written to the VM RUNNING on its target (owner record)");
            }
            if (qemuHang) {
                // The qemu reset keeps the instance, so the disks show no restart to time: the host's event does.
                report.put("recovery_seconds", DemoReport.percentiles(detection));
                report.put("recovery_measured", "hang injected (guest-exec returned) to the host's 'reset in place' event");
                report.put("guest_boot_seconds", DemoReport.percentiles(scenarios.qemuGuestHang.bootSeconds()));
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>(report);
        summary.remove("events");
        out.println(JSON.writeValueAsString(summary));
        if (reportFile != null) {
            Files.writeString(reportFile, JSON.writeValueAsString(report));
            out.println("report written to " + reportFile);
        }
        return Boolean.TRUE.equals(report.get("invariants_ok"));
    }

    private DemoPool up(boolean heartbeatOnLoopFs) throws Exception {
        return up(heartbeatOnLoopFs, io.vmha.core.VmHealth.DEFAULT, null);
    }

    /** @param guest what the qemu VMs boot, or null for diskless VMs */
    private DemoPool up(boolean heartbeatOnLoopFs, io.vmha.core.VmHealth health, TinyGuestImage guest) throws Exception {
        Path workDir = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("vmha-demo-");
        DemoPool pool = new DemoPool(workDir, out, heartbeatOnLoopFs, driver).guest(guest);
        Runtime.getRuntime().addShutdownHook(new Thread(pool::close, "vmha-demo-shutdown"));
        out.println("starting embedded ZooKeeper and " + hosts + " hosts in " + workDir + " ...");
        pool.start(hosts, vms);
        out.println("ZooKeeper at " + pool.connectString() + "; waiting for the hosts to join ...");
        // Register VMs only once every host is active, so placement spreads them over the whole pool.
        awaitHealthy(pool, "the hosts to join");
        out.println("registering " + vms + " VMs ...");
        pool.addVms(vms, health);
        awaitHealthy(pool, "every VM to run");
        out.println("pool healthy: " + StatusLine.of(pool.status()));
        if (endpoints != null) writeEndpoints(pool);
        return pool;
    }

    private void awaitHealthy(DemoPool pool, String what) throws Exception {
        if (!pool.await(what, s -> DemoPool.healthy(s, hosts), timeoutMillis)) {
            String last = StatusLine.of(pool.status());
            pool.close();
            throw new IOException("timed out after " + timeoutMillis / 1000 + " s waiting for " + what + ": " + last
                    + "; see the host logs in " + pool.dir().resolve("logs"));
        }
    }

    private void writeEndpoints(DemoPool pool) throws Exception {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("pool", DemoPool.POOL);
        e.put("zookeeper", pool.connectString());
        e.put("dir", pool.dir().toString());
        e.put("disks", pool.disks().toString());
        e.put("jolokia_credentials", pool.jolokiaCredentials().toString());
        java.util.SortedMap<String, io.vmha.coordination.EndpointRegistry.Endpoints> urls = pool.endpoints();
        e.put("hosts", pool.hosts().stream().map(h -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", h.name);
            m.put("pid", h.pid());
            m.put("config", h.config.toString());
            m.put("log", h.log.toString());
            io.vmha.coordination.EndpointRegistry.Endpoints u = urls.get(h.name);
            m.put("prometheus", u == null ? "" : u.prometheus());
            m.put("jolokia", u == null ? "" : u.jolokia());
            m.put("jolokia_credentials", pool.jolokiaCredentials().toString());
            return m;
        }).toList());
        Path tmp = endpoints.resolveSibling(endpoints.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(e));
        Files.move(tmp, endpoints, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
