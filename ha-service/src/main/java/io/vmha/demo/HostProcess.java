package io.vmha.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One demo host: a vmha agent JVM in its own process group (setsid), so that a "power loss" kills
 * the daemon and every VM it started with one signal, as a real host crash would.
 */
final class HostProcess {
    final String name;
    final Path config;
    final Path log;
    final Path stateDir;
    final String driver;
    private Process process;

    HostProcess(String name, Path config, Path log, Path stateDir) {
        this(name, config, log, stateDir, "sim");
    }

    /** @param stateDir the driver's directory: sim state files, or the qemu run dir (pid files, sockets) */
    HostProcess(String name, Path config, Path log, Path stateDir, String driver) {
        this.name = name;
        this.config = config;
        this.log = log;
        this.stateDir = stateDir;
        this.driver = driver;
    }

    /** The pid of {@code vm}'s process on this host, from the driver's own files (sim state file, qemu pidfile). */
    long vmPid(String vm) throws IOException {
        if (driver.equals("qemu")) return Long.parseLong(java.nio.file.Files.readString(stateDir.resolve(vm + ".pid")).trim());
        return Scenarios.simPid(stateDir, vm);
    }

    void start() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("setsid", java,
                // Small, fast-starting JVMs: five of them share two cores with their VMs.
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-cp", System.getProperty("java.class.path"), "io.vmha.cli.Main", "agent", "--config", config.toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    boolean alive() { return process != null && process.isAlive(); }

    long pid() { return process.pid(); }

    /** Power loss: SIGKILL to the whole process group (daemon and VMs) at once. */
    void crash() throws IOException, InterruptedException {
        if (process == null) return;
        signalGroup("-KILL");
        // qemu VMs run in sessions of their own (they outlive a daemon restart): a power loss takes them too.
        if (driver.equals("qemu")) QemuProcesses.kill(stateDir.toString());
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Send {@code signal} (e.g. STOP, CONT) to the agent JVM only, not to its VMs or fence guard. */
    void signalDaemon(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
    }

    /** Orderly stop: SIGTERM to the group, SIGKILL after a grace period. */
    void stop(long graceMillis) throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            killGroupQuietly();
            return;
        }
        signalGroup("-TERM");
        if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) signalGroup("-KILL");
        process.waitFor(10, TimeUnit.SECONDS);
        killGroupQuietly(); // VMs that outlived their daemon
    }

    private void killGroupQuietly() {
        try {
            if (process != null) signalGroup("-KILL");
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
    }

    private void signalGroup(String signal) throws IOException, InterruptedException {
        // setsid made the agent its group's leader, so its pid is the group id.
        new ProcessBuilder("kill", signal, "--", "-" + process.pid()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
    }
}
