package io.vmha.system.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The tiny guest under a bare qemu process (no vmha driver): TCG, 128 MiB, 2 vCPUs, console to a file, QMP
 * and the agent on Unix sockets in a private temp dir. {@link #close()} kills qemu and removes the dir; a JVM
 * shutdown hook does the same if the test JVM is stopped first.
 */
final class RawQemu implements AutoCloseable {
    final Path dir;
    final Path console;
    final Path qmpSocket;
    final Path agentSocket;
    final int httpPort;
    final long startedNanos;
    private final Process process;
    private final Thread cleanupOnExit;

    private RawQemu(Path dir, int httpPort, Process process, long startedNanos) {
        this.dir = dir;
        this.console = dir.resolve("console.log");
        this.qmpSocket = dir.resolve("qmp.sock");
        this.agentSocket = dir.resolve("agent.sock");
        this.httpPort = httpPort;
        this.process = process;
        this.startedNanos = startedNanos;
        this.cleanupOnExit = new Thread(this::kill, "raw-qemu-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    }

    /** Starts qemu ({@code qemu} is its path) booting {@code guest} with {@code -action panic=panicAction}. */
    static RawQemu start(Path qemu, TinyGuest guest, String panicAction) throws IOException {
        Path dir = Files.createTempDirectory("vmha-guest-"); // short: Unix socket paths are limited to 107 bytes
        int httpPort = TinyGuest.freeLocalPort();
        List<String> argv = new ArrayList<>(List.of(qemu.toString(),
                "-name", "vmha-tiny-guest-it", "-machine", "pc,accel=tcg", "-m", "128", "-smp", "2",
                "-nodefaults", "-display", "none",
                "-serial", "file:" + dir.resolve("console.log"),
                "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off",
                "-action", "panic=" + panicAction));
        argv.addAll(guest.qemuArgs(dir.resolve("agent.sock"), httpPort));
        long started = System.nanoTime();
        Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()).start();
        process.getOutputStream().close();
        return new RawQemu(dir, httpPort, process, started);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** qemu's own stdout/stderr, for failure messages. */
    String log() {
        try {
            return Files.readString(dir.resolve("qemu.log"));
        } catch (IOException e) {
            return "(no qemu.log: " + e + ")";
        }
    }

    /** Seconds since qemu was started. */
    double secondsSinceStart(long nanos) {
        return (nanos - startedNanos) / 1e9;
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs kill() anyway
        }
    }

    private void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
