package io.vmha.fencing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's handle on its fence guard: a separate small bash process ({@code vmha-fence-guard}, a
 * resource next to this class) that holds the "VMs stopped by" deadline even while this JVM is stalled
 * or dead. The daemon calls {@link #feed} only while it is healthy; each feed sets the guard's deadline
 * to the guard's own monotonic now + {@code validForMillis}. If no feed arrives before that deadline,
 * the guard SIGKILLs the listed pids whose command line carries the marker (and, with {@code reboot},
 * reboots the host). The guard re-arms on the next feed. If this JVM dies, the guard sees end of stdin,
 * does not extend the deadline, fires when it passes and exits.
 *
 * <p><b>Contract:</b> {@link #feed} throws {@link GuardLostException} when the guard process is gone;
 * the daemon must then treat its deadline as passed (stop its VMs) and start no VM until a new guard
 * runs.
 *
 * <p>An orderly daemon shutdown must call {@link #close()} ({@code stop}: the guard exits without
 * killing); a JVM that just exits leaves the guard to fire at the deadline, as if the daemon crashed.
 *
 * <p>The guard's stderr is appended to {@code logFile} (never a pipe to this JVM: a stalled JVM would
 * not drain it and the guard's log line could then block it before the kill).
 *
 * <p>Thread-safe. Lifecycle: {@link State#LATENT} → {@link #start()} → {@link State#STARTED} →
 * {@link #close()} → {@link State#CLOSED}.
 */
public final class FenceGuard implements AutoCloseable {
    /** Name of the script resource (in this package) and of the extracted file. */
    public static final String SCRIPT_NAME = "vmha-fence-guard";
    /** How long {@link #start()} waits for the guard's "ready" line and {@link #close()} for its exit. */
    static final long WAIT_MILLIS = 2_000;

    public enum State { LATENT, STARTED, CLOSED }

    /** The guard process is gone (or its stdin is broken): the daemon no longer has a deadline holder. */
    public static final class GuardLostException extends IOException {
        GuardLostException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String host;
    private final String marker;
    private final Path workDir;
    private final Path logFile;
    private final boolean reboot;
    private final int checkMillis;

    private State state = State.LATENT;
    private Process process;
    private OutputStream stdin;

    /**
     * @param host        this host's name, for the guard's log lines
     * @param marker      text present in the command line of every VM process (e.g. {@code vmha-sim-vm});
     *                    the guard never kills a pid whose command line lacks it (pid reuse)
     * @param workDir     where the script is extracted (created if missing)
     * @param logFile     the guard's stderr is appended here
     * @param reboot      also reboot the host through /proc/sysrq-trigger when firing (root only; never in tests)
     * @param checkMillis the guard's check period, 10..1000 (50 is a good value)
     */
    public FenceGuard(String host, String marker, Path workDir, Path logFile, boolean reboot, int checkMillis) {
        this.host = Objects.requireNonNull(host, "host");
        this.marker = Objects.requireNonNull(marker, "marker");
        this.workDir = Objects.requireNonNull(workDir, "workDir");
        this.logFile = Objects.requireNonNull(logFile, "logFile");
        if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("host must be non-empty without whitespace: '" + host + "'");
        }
        if (marker.length() < 4) {
            throw new IllegalArgumentException("marker must have at least 4 characters: '" + marker + "'");
        }
        if (checkMillis < 10 || checkMillis > 1000) {
            throw new IllegalArgumentException("checkMillis must be 10..1000, got " + checkMillis);
        }
        this.reboot = reboot;
        this.checkMillis = checkMillis;
    }

    /** No reboot, 50 ms checks. */
    public FenceGuard(String host, String marker, Path workDir, Path logFile) {
        this(host, marker, workDir, logFile, false, 50);
    }

    /**
     * Extracts the script, launches the guard and waits (at most {@link #WAIT_MILLIS}) until it reports
     * ready. The guard is unarmed until the first {@link #feed}.
     *
     * @throws IOException if the script cannot be written or the guard refuses its arguments or dies
     */
    public synchronized void start() throws IOException {
        if (state != State.LATENT) throw new IllegalStateException("fence guard is " + state);
        Path script = extractScript(workDir);
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(command(script, host, marker, reboot, checkMillis))
                .directory(workDir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Map<String, String> env = pb.environment();
        env.remove("BASH_ENV");
        env.remove("ENV");
        env.put("LC_ALL", "C");
        Process p = pb.start();
        String ready = awaitReadyLine(p);
        if (ready == null || !ready.startsWith("ready ")) {
            p.destroyForcibly();
            state = State.CLOSED;
            throw new IOException("fence guard did not start (" + (ready == null ? "no ready line" : "'" + ready + "'")
                    + (p.isAlive() ? "" : ", exit " + p.exitValue()) + "); see " + logFile);
        }
        process = p;
        stdin = p.getOutputStream();
        state = State.STARTED;
    }

    /**
     * Sets the guard's deadline to (the guard's now) + {@code validForMillis} and the pids it kills when
     * the deadline passes, replacing the previous list. A negative value is sent as 0 ("already past").
     * One short write to a pipe: it blocks only if the guard has not read 64 KiB of earlier feeds.
     *
     * @throws GuardLostException if the guard process is gone (see the class contract)
     * @throws IllegalStateException if not {@link State#STARTED}
     */
    public synchronized void feed(long validForMillis, Collection<Long> pids) throws GuardLostException {
        if (state != State.STARTED) throw new IllegalStateException("fence guard is " + state);
        StringBuilder line = new StringBuilder(16 + 8 * pids.size()).append("feed ").append(Math.max(0, validForMillis));
        for (Long pid : pids) {
            if (pid == null || pid <= 0) throw new IllegalArgumentException("bad pid " + pid);
            line.append(' ').append(pid);
        }
        line.append('\n');
        if (!process.isAlive()) {
            throw new GuardLostException("fence guard (pid " + process.pid() + ") exited with "
                    + process.exitValue() + "; see " + logFile, null);
        }
        try {
            stdin.write(line.toString().getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
        } catch (IOException e) {
            throw new GuardLostException("fence guard (pid " + process.pid() + ") no longer reads its feed", e);
        }
    }

    /** True while started and the guard process runs. */
    public synchronized boolean alive() {
        return state == State.STARTED && process.isAlive();
    }

    public synchronized State state() {
        return state;
    }

    /** The guard's pid once started. */
    public synchronized OptionalLong pid() {
        return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
    }

    /**
     * Orderly shutdown: sends {@code stop} (the guard exits without killing anything) and waits up to
     * {@link #WAIT_MILLIS}; a guard that does not exit by then is killed (SIGKILL, it kills nothing).
     * Idempotent; never throws.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) return;
        State was = state;
        state = State.CLOSED;
        if (was != State.STARTED) return;
        try {
            stdin.write("stop\n".getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(WAIT_MILLIS, TimeUnit.MILLISECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the script to {@code dir/vmha-fence-guard} with mode 0700 (atomically replaced). */
    static Path extractScript(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(SCRIPT_NAME);
        Path tmp = Files.createTempFile(dir, SCRIPT_NAME, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (InputStream in = FenceGuard.class.getResourceAsStream(SCRIPT_NAME)) {
            if (in == null) throw new IOException("resource " + SCRIPT_NAME + " missing next to " + FenceGuard.class);
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** The guard's argv. */
    static List<String> command(Path script, String host, String marker, boolean reboot, int checkMillis) {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), "--host", host, "--marker", marker,
                "--check-ms", Integer.toString(checkMillis)));
        if (reboot) cmd.add("--reboot");
        return cmd;
    }

    /** Reads the guard's single stdout line, giving up after {@link #WAIT_MILLIS}. */
    private static String awaitReadyLine(Process p) throws IOException {
        String[] result = new String[1];
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                result[0] = r.readLine();
            } catch (IOException ignored) {
                // reported as "no ready line"
            }
        }, "vmha-fence-guard-ready");
        reader.setDaemon(true);
        reader.start();
        try {
            reader.join(WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the fence guard", e);
        }
        if (reader.isAlive()) return null;
        return result[0];
    }

    @Override
    public String toString() {
        return "FenceGuard[" + host + ", " + state + (process == null ? "" : ", pid " + process.pid()) + "]";
    }

    /** For logs: where the guard writes. */
    public Path logFile() {
        return logFile;
    }
}
