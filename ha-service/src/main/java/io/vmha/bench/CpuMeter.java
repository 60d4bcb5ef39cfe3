package io.vmha.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** CPU seconds spent by what the benchmark measures: JVM threads by name prefix, or whole processes by pid. */
final class CpuMeter {
    /** Linux reports /proc/PID/stat times in clock ticks of 1/100 s (USER_HZ, fixed on x86-64). */
    private static final double TICKS_PER_SECOND = 100.0;

    private CpuMeter() {}

    /** CPU nanoseconds of every live thread of this JVM whose name starts with {@code prefix}, by thread id. */
    static Map<Long, Long> threads(String prefix) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null || !info.getThreadName().startsWith(prefix)) continue;
            long nanos = mx.getThreadCpuTime(info.getThreadId());
            if (nanos >= 0) cpu.put(info.getThreadId(), nanos);
        }
        return cpu;
    }

    /** Seconds of CPU the threads used between two snapshots (threads born in between count from zero). */
    static double secondsBetween(Map<Long, Long> before, Map<Long, Long> after) {
        long total = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        return total / 1e9;
    }

    /** User + system CPU seconds of processes (all their threads), from /proc/PID/stat fields 14 and 15. */
    static double processes(List<Long> pids) throws IOException {
        double total = 0;
        for (long pid : pids) {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // fields[0] is field 3 (state)
            total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        }
        return total;
    }
}
