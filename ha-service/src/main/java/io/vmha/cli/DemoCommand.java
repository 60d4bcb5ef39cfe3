package io.vmha.cli;

import io.vmha.core.InvalidInputException;
import io.vmha.demo.DemoRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a whole pool on this machine: an embedded ZooKeeper, one agent process per host and sim VMs.",
                "Without --scenario it runs until Ctrl-C, printing a live status line.",
                "With --scenario it injects one scripted fault, waits for recovery, checks every invariant "
                        + "and exits 0 only if all held."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--scenario", paramLabel = "NAME", description = "vm-crash, host-crash, master-crash, daemon-pause, "
            + "host-isolation, zk-outage, disk-stall or guest-hang.")
    String scenario;

    @Option(names = "--hosts", defaultValue = "3", description = "Hosts in the pool (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--vms", paramLabel = "N", description = "VMs, HA enabled (default: 6; 3 for --driver qemu --scenario guest-hang, "
            + "whose VMs boot a real Linux guest under TCG).")
    Integer vms;

    @Option(names = "--failures", defaultValue = "1",
            description = "VMs (vm-crash, guest-hang) or hosts (host-crash, master-crash) to fail (default: ${DEFAULT-VALUE}).")
    int failures;

    @Option(names = "--seed", defaultValue = "1", description = "Chooses the victims (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--driver", defaultValue = "sim", description = "Hypervisor driver: sim (default) or qemu (real qemu VMs, TCG; needs the Debian package qemu-system-x86).")
    String driver;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the JSON report here.")
    Path report;

    @Option(names = "--endpoints", paramLabel = "FILE",
            description = "Write JSON with the ZooKeeper connect string and each host, once the pool is up.")
    Path endpoints;

    @Option(names = "--dir", paramLabel = "DIR", description = "Working directory (default: a new temporary one).")
    Path dir;

    @Option(names = "--duration", defaultValue = "30", paramLabel = "SECONDS",
            description = "How long host-isolation, zk-outage and disk-stall keep their fault (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
            description = "Give up waiting for start-up or recovery after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override public Integer call() throws Exception {
        if (hosts < 1 || hosts > 20) throw new InvalidInputException("--hosts", hosts, "1 to 20");
        if (!driver.equals("sim") && !driver.equals("qemu")) throw new InvalidInputException("--driver", driver, "sim or qemu");
        // Real guests boot for 7-16 s each under TCG on two cores: three keep the run within a few minutes.
        if (vms == null) vms = driver.equals("qemu") && "guest-hang".equals(scenario) ? 3 : 6;
        if (vms < 0 || vms > 1000) throw new InvalidInputException("--vms", vms, "0 to 1000");
        if (driver.equals("qemu")) requireQemu();
        if (timeoutSeconds < 10) throw new InvalidInputException("--timeout", timeoutSeconds, "10 seconds or more");
        if (durationSeconds < 1 || durationSeconds > 3600) throw new InvalidInputException("--duration", durationSeconds, "1 to 3600 seconds");
        DemoRun run = new DemoRun(hosts, vms, failures, seed, dir, endpoints, timeoutSeconds * 1000L,
                durationSeconds * 1000L, System.out).driver(driver);
        if (scenario == null) return run.interactive();
        return run.scenario(scenario, report) ? 0 : Main.FAILED;
    }

    /** Fail at once, naming the package, rather than time out waiting for VMs that cannot start. */
    private static void requireQemu() {
        String binary = io.vmha.hypervisor.qemu.QemuConfig.DEFAULT_BINARY;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, binary))) return;
        }
        throw new InvalidInputException("--driver", "qemu", "sim, or install qemu first: " + binary
                + " is not on PATH (Debian/Ubuntu: apt-get install qemu-system-x86)");
    }
}
