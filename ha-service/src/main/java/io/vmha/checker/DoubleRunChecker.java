package io.vmha.checker;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Finds double runs from the sim VMs' disk files alone ({@code <disksDir>/<vm>.disk}, lines
 * {@code <instance> <micros>}). An instance's span is [first write, last write]; two instances of one VM
 * whose spans overlap (even in one microsecond) ran at the same time. Because writes happen every 100 ms,
 * an overlap shorter than that can go unseen: the check is sound (what it reports happened) but not
 * complete below one tick.
 */
public final class DoubleRunChecker {
    public static final String SUFFIX = ".disk";

    private DoubleRunChecker() {}

    /** One instance's writes to its VM's disk. */
    public record InstanceSpan(String instance, long firstMicros, long lastMicros, long writes) {
    }

    /** Two instances of {@code vm} that wrote during the same interval; A started first. */
    public record DoubleRun(String vm, String instanceA, String instanceB, long overlapStartMicros,
                            long overlapEndMicros) {
        public long overlapMicros() { return overlapEndMicros - overlapStartMicros; }
    }

    /**
     * @param spansByVm      per VM, its instances sorted by first write
     * @param doubleRuns     every overlapping pair, by VM then start of overlap
     * @param malformedLines per disk file name with any, the number of lines ignored as malformed
     * @param totalInstances instances over all VMs
     */
    public record Result(SortedMap<String, List<InstanceSpan>> spansByVm, List<DoubleRun> doubleRuns,
                         SortedMap<String, Long> malformedLines, int totalInstances) {
        public boolean clean() { return doubleRuns.isEmpty(); }

        public long totalMalformedLines() {
            return malformedLines.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The first write of an instance of {@code vm} that started after {@code faultMicros}: recovery. */
        public OptionalLong firstWriteOfInstanceStartedAfter(String vm, long faultMicros) {
            return spansByVm.getOrDefault(vm, List.of()).stream()
                    .mapToLong(InstanceSpan::firstMicros).filter(first -> first > faultMicros).min();
        }

        /** The latest write to {@code vm}'s disk by any instance; empty if it has none. */
        public OptionalLong lastWriteMicros(String vm) {
            return spansByVm.getOrDefault(vm, List.of()).stream().mapToLong(InstanceSpan::lastMicros).max();
        }
    }

    /** Reads every {@code *.disk} file of {@code disksDir} (none if it does not exist). */
    public static Result check(Path disksDir) throws IOException {
        SortedMap<String, List<InstanceSpan>> spans = new TreeMap<>();
        SortedMap<String, Long> malformed = new TreeMap<>();
        List<DoubleRun> doubleRuns = new ArrayList<>();
        int total = 0;
        if (Files.isDirectory(disksDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(disksDir, "*" + SUFFIX)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    String vm = name.substring(0, name.length() - SUFFIX.length());
                    DiskFileParser parsed = DiskFileParser.parse(file);
                    if (parsed.malformed > 0) malformed.put(name, parsed.malformed);
                    List<InstanceSpan> list = new ArrayList<>(parsed.instances.size());
                    for (DiskFileParser.Acc a : parsed.instances.values()) {
                        list.add(new InstanceSpan(a.instance, a.first, a.last, a.writes));
                    }
                    list.sort(Comparator.comparingLong(InstanceSpan::firstMicros).thenComparing(InstanceSpan::instance));
                    spans.put(vm, List.copyOf(list));
                    total += list.size();
                }
            }
        }
        spans.forEach((vm, list) -> doubleRuns.addAll(overlaps(vm, list)));
        return new Result(spans, List.copyOf(doubleRuns), malformed, total);
    }

    /** Every overlapping pair in {@code sorted} (by first write); instances per VM are few. */
    static List<DoubleRun> overlaps(String vm, List<InstanceSpan> sorted) {
        List<DoubleRun> found = new ArrayList<>();
        for (int j = 1; j < sorted.size(); j++) {
            InstanceSpan b = sorted.get(j);
            for (int i = 0; i < j; i++) {
                InstanceSpan a = sorted.get(i);
                if (b.firstMicros() <= a.lastMicros()) {
                    found.add(new DoubleRun(vm, a.instance(), b.instance(), b.firstMicros(),
                            Math.min(a.lastMicros(), b.lastMicros())));
                }
            }
        }
        found.sort(Comparator.comparingLong(DoubleRun::overlapStartMicros));
        return found;
    }

    /** A readable summary: totals, every double run, malformed files, one line per VM. */
    public static String describe(Result r) {
        StringBuilder s = new StringBuilder();
        s.append(r.spansByVm().size()).append(" VMs, ").append(r.totalInstances()).append(" instances, ")
                .append(r.doubleRuns().size()).append(" double runs, ")
                .append(r.totalMalformedLines()).append(" malformed lines\n");
        for (DoubleRun d : r.doubleRuns()) {
            s.append("DOUBLE RUN ").append(d.vm()).append(": ").append(d.instanceA()).append(" and ")
                    .append(d.instanceB()).append(" both wrote from ").append(time(d.overlapStartMicros()))
                    .append(" to ").append(time(d.overlapEndMicros()))
                    .append(" (").append(d.overlapMicros() / 1000).append(" ms)\n");
        }
        r.malformedLines().forEach((file, n) ->
                s.append("malformed: ").append(file).append(": ").append(n).append(" lines ignored\n"));
        r.spansByVm().forEach((vm, list) -> {
            s.append(vm).append(':');
            for (InstanceSpan i : list) {
                s.append(' ').append(i.instance()).append(" [").append(time(i.firstMicros())).append(" .. ")
                        .append(time(i.lastMicros())).append(", ").append(i.writes()).append(" writes]");
            }
            s.append('\n');
        });
        return s.toString();
    }

    private static String time(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L)
                .toString();
    }
}
