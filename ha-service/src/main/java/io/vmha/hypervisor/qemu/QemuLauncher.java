package io.vmha.hypervisor.qemu;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Spawns qemu so that it outlives the daemon, and waits for its monitor.
 *
 * <p>qemu runs under {@code setsid}: its own session and process group, so a Ctrl-C or a SIGHUP aimed at
 * the daemon's group does not reach it. {@code setsid} execs in place (our child is never a group
 * leader), so the JDK's {@link Process} is qemu itself and its exit code is known at once. Output goes to
 * the VM's log file, never to a pipe: a pipe would SIGPIPE qemu once the daemon is gone.
 */
final class QemuLauncher {
    private QemuLauncher() {}

    /** Appends a header naming the instance to the log; returns the offset where this run's output begins. */
    static long logHeader(Path log, String instanceId, List<String> argv) throws IOException {
        long offset = Files.exists(log) ? Files.size(log) : 0;
        String header = "=== " + Instant.now() + " vmha starts instance " + instanceId + ": " + String.join(" ", argv) + "\n";
        Files.writeString(log, header, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return offset;
    }

    static Process spawn(List<String> argv, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("setsid");
        command.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("LC_ALL", "C");
        return pb.start();
    }

    /**
     * Connects to the new qemu's QMP socket as soon as it listens. Fails at once if qemu exits, or when the
     * deadline passes.
     */
    static QmpClient awaitMonitor(Process qemu, Path socket, long deadlineNanos, QmpClient.Listener listener,
                                  String threadName) throws IOException {
        String lastError = "the socket never appeared";
        while (true) {
            if (!qemu.isAlive()) {
                throw new IOException("qemu exited at once (" + ProcessProbe.describeExit(qemu.exitValue()) + ")");
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (left <= 0) throw new IOException("no QMP monitor at " + socket + " in time: " + lastError);
            if (Files.exists(socket)) {
                try {
                    return QmpClient.connect(socket, Math.min(left, 2_000), listener, threadName);
                } catch (QmpException e) {
                    lastError = e.getMessage();
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for qemu's monitor");
            }
        }
    }

    /** The pid qemu wrote to its pid file, or -1. */
    static long pidFromFile(Path pidFile) {
        try {
            return Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
