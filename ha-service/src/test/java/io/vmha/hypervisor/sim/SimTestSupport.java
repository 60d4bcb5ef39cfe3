package io.vmha.hypervisor.sim;

import io.vmha.core.port.Journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Shared by the sim tests: a recording journal, /proc readers, and the cleanup of spawned processes. */
public final class SimTestSupport {
    /** Scales every latency bound, for slow CI machines (-Dvmha.test.timing=2). */
    public static final double TIMING = Double.parseDouble(System.getProperty("vmha.test.timing", "1"));

    private SimTestSupport() {}

    public static long scaled(long millis) {
        return Math.round(millis * TIMING);
    }

    /** Journal that keeps every line, for assertions. */
    public static final class RecordingJournal implements Journal {
        public final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void record(String source, String message) {
            lines.add(source + ": " + message);
        }
    }

    /** Kills (SIGKILL) every descendant of this JVM whose command line mentions {@code marker}; waits for them. */
    public static void killDescendantsMentioning(String marker) {
        List<ProcessHandle> victims = ProcessHandle.current().descendants()
                .filter(p -> cmdline(p.pid()).contains(marker)).toList();
        victims.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : victims) {
            try {
                p.onExit().get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort; a survivor would show up in the next test's assertions
            }
        }
    }

    public static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }

    /** utime+stime of {@code pid} in clock ticks, from /proc/<pid>/stat. */
    public static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
    }

    /** Lines of {@code disk} written by {@code instanceId}. */
    public static long linesOf(Path disk, String instanceId) throws IOException {
        if (!Files.exists(disk)) return 0;
        try (var lines = Files.lines(disk)) {
            return lines.filter(l -> l.startsWith(instanceId + " ")).count();
        }
    }
}
