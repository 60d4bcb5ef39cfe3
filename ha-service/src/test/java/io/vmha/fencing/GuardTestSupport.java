package io.vmha.fencing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Real processes for the fence-guard tests; everything spawned is tracked and killed by {@link #killAll}. */
final class GuardTestSupport {
    static final String MARKER = "vmha-sim-vm";

    private final List<ProcessHandle> spawned = new ArrayList<>();
    /** Process → System.nanoTime() at which its exit was observed (onExit, the JDK's reaper thread). */
    final Map<Long, Long> deathNanos = new ConcurrentHashMap<>();

    /** A "VM": sleep whose argv[0] carries the marker, so /proc/pid/cmdline contains it; the pid is sleep's. */
    Process vm() throws IOException {
        Process p = track(new ProcessBuilder("bash", "-c", "exec -a " + MARKER + "-test sleep 60")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        // Right after start() the child may still be the JDK's spawn helper, whose command line lacks the
        // marker, and the guard (rightly) refuses to kill it: wait until it shows.
        java.nio.file.Path cmdline = java.nio.file.Path.of("/proc", Long.toString(p.pid()), "cmdline");
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (new String(java.nio.file.Files.readAllBytes(cmdline), java.nio.charset.StandardCharsets.UTF_8).contains(MARKER)) return p;
            } catch (IOException gone) {
                break;
            }
            Thread.onSpinWait();
        }
        throw new IOException("test VM " + p.pid() + " never showed the marker in its command line");
    }

    /** A process without the marker in its command line. */
    Process unmarked() throws IOException {
        return track(new ProcessBuilder("sleep", "60")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    Process track(Process p) {
        spawned.add(p.toHandle());
        long pid = p.pid();
        p.onExit().thenRun(() -> deathNanos.put(pid, System.nanoTime()));
        return p;
    }

    void track(long pid) {
        ProcessHandle.of(pid).ifPresent(spawned::add);
    }

    /** Launches the guard script directly (stdin/stdout pipes, stderr to {@code log}) and waits for "ready". */
    Process guard(Path dir, Path log, String... extraArgs) throws IOException {
        Path script = FenceGuard.extractScript(dir);
        List<String> cmd = new ArrayList<>(FenceGuard.command(script, "h1", MARKER, false, 50));
        cmd.addAll(List.of(extraArgs));
        Process p = track(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        if (ready == null || !ready.equals("ready " + p.pid())) {
            throw new IOException("guard not ready: " + ready + "; log: " + Files.readString(log));
        }
        return p;
    }

    static void send(Process guard, String line) throws IOException {
        OutputStream out = guard.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static String feedLine(long validMs, Collection<Process> vms) {
        return "feed " + validMs + vms.stream().map(p -> " " + p.pid()).collect(Collectors.joining());
    }

    /** Waits until every process has exited; false on timeout. */
    static boolean awaitAllDead(Collection<Process> ps, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (Process p : ps) {
            long left = end - System.nanoTime();
            if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) return false;
        }
        return true;
    }

    /** ms from {@code startNanos} to the observed death of {@code p} (which must be dead). */
    long diedAfterMs(Process p, long startNanos) throws InterruptedException {
        p.waitFor();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!deathNanos.containsKey(p.pid()) && System.nanoTime() < deadline) Thread.sleep(1);
        return TimeUnit.NANOSECONDS.toMillis(deathNanos.get(p.pid()) - startNanos);
    }

    static void signal(long pid, String sig) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor();
        if (rc != 0) throw new IOException("kill -" + sig + " " + pid + " failed: " + rc);
    }

    /** SIGCONT (a stopped process must not linger) then SIGKILL for everything spawned, children first. */
    void killAll() throws InterruptedException {
        for (ProcessHandle h : spawned) {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            if (h.isAlive()) {
                try {
                    signal(h.pid(), "CONT");
                } catch (IOException ignored) {
                    // raced with its exit
                }
                h.destroyForcibly();
            }
        }
        for (ProcessHandle h : spawned) awaitGone(h.pid(), 5_000);
        spawned.clear();
    }

    /**
     * True once {@code pid} has exited. A process that is not our child (the guard of another JVM) is
     * reparented on its parent's death, and PID 1 of a container may never reap it: a zombie counts as
     * exited ({@link ProcessHandle#onExit()} would wait for the reaping).
     */
    static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException noSuchProcess) {
            return true;
        }
    }

    static boolean awaitGone(long pid, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!gone(pid)) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(5);
        }
        return true;
    }
}
