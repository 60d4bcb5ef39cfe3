package io.vmha.checker;

import io.vmha.checker.DoubleRunChecker.DoubleRun;
import io.vmha.checker.DoubleRunChecker.InstanceSpan;
import io.vmha.checker.DoubleRunChecker.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Synthetic disk files: the checker's arithmetic and its tolerance of garbage. */
class DoubleRunCheckerTest {
    @TempDir
    Path disks;

    /** Lines of {@code instance} every 100 ms from {@code from} to {@code to} inclusive. */
    static StringBuilder writes(StringBuilder s, String instance, long from, long to) {
        for (long t = from; t <= to; t += 100_000) s.append(instance).append(' ').append(t).append('\n');
        return s;
    }

    @Test
    void sequentialInstancesAreNoDoubleRun() throws Exception {
        StringBuilder s = writes(new StringBuilder(), "h1.e1.1", 1_000_000, 2_000_000);
        writes(s, "h2.e2.2", 2_100_000, 3_000_000);
        Files.writeString(disks.resolve("vm1.disk"), s);
        Result r = DoubleRunChecker.check(disks);
        assertEquals(List.of(), r.doubleRuns());
        assertEquals(List.of(new InstanceSpan("h1.e1.1", 1_000_000, 2_000_000, 11),
                new InstanceSpan("h2.e2.2", 2_100_000, 3_000_000, 10)), r.spansByVm().get("vm1"));
        assertEquals(2, r.totalInstances());
        assertEquals(OptionalLong.of(2_100_000), r.firstWriteOfInstanceStartedAfter("vm1", 1_500_000));
        assertEquals(OptionalLong.empty(), r.firstWriteOfInstanceStartedAfter("vm1", 2_100_000));
        assertEquals(OptionalLong.of(3_000_000), r.lastWriteMicros("vm1"));
        assertEquals(OptionalLong.empty(), r.lastWriteMicros("nope"));
    }

    @Test
    void overlappingInstancesAreOneDoubleRunWithItsBounds() throws Exception {
        StringBuilder a = writes(new StringBuilder(), "h1.e1.1", 1_000_000, 5_000_000);
        StringBuilder b = writes(new StringBuilder(), "h2.e2.2", 4_050_000, 9_050_000);
        // interleaved as two hosts appending to one file would leave them
        int cut = a.indexOf("\n", a.length() / 2) + 1;
        Files.writeString(disks.resolve("vm1.disk"), a.substring(0, cut) + b + a.substring(cut));
        Files.writeString(disks.resolve("vm2.disk"), writes(new StringBuilder(), "h1.e1.3", 1_000_000, 9_000_000));
        Result r = DoubleRunChecker.check(disks);
        assertEquals(List.of(new DoubleRun("vm1", "h1.e1.1", "h2.e2.2", 4_050_000, 5_000_000)), r.doubleRuns());
        assertEquals(950_000, r.doubleRuns().get(0).overlapMicros());
        assertEquals(0, r.totalMalformedLines());
        assertEquals(3, r.totalInstances());
        String text = DoubleRunChecker.describe(r);
        assertTrue(text.startsWith("2 VMs, 3 instances, 1 double runs, 0 malformed lines\n"), text);
        assertTrue(text.contains("DOUBLE RUN vm1: h1.e1.1 and h2.e2.2 both wrote from"), text);
    }

    @Test
    void malformedLinesAreCountedPerFileAndIgnored() throws Exception {
        String good = writes(new StringBuilder(), "h1.e1.1", 1_000_000, 1_200_000).toString();
        String bad = String.join("\n",
                "",                          // empty
                "h1.e1.1",                   // no timestamp
                "h1.e1.1 12x4",              // not digits
                "h1.e1.1  1300000",          // two spaces
                "h1.e1.1 1300000 extra",     // extra field
                " 1300000",                  // no instance
                "h9.e9.9 9999999999999999999", // too long a number
                "h1.e1.1\t1300000",          // tab
                "x".repeat(3 * DiskFileParser.MAX_LINE) + " 1") + "\n";
        Files.writeString(disks.resolve("vm1.disk"), good + bad + good + "h1.e1.1 99999999");
        Files.writeString(disks.resolve("vm2.disk"), good);
        Files.writeString(disks.resolve("ignored.txt"), "garbage");
        Result r = DoubleRunChecker.check(disks);
        assertEquals(Map.of("vm1.disk", 10L), r.malformedLines()); // 9 bad + unterminated last line
        assertEquals(List.of(new InstanceSpan("h1.e1.1", 1_000_000, 1_200_000, 6)), r.spansByVm().get("vm1"));
        assertEquals(List.of(), r.doubleRuns());
        assertTrue(DoubleRunChecker.describe(r).contains("malformed: vm1.disk: 10 lines ignored"));
    }

    @Test
    void missingDirectoryIsEmpty() throws Exception {
        Result r = DoubleRunChecker.check(disks.resolve("absent"));
        assertEquals(0, r.totalInstances());
        assertTrue(r.clean());
    }

    /** 300 VMs x 10 minutes at 10 writes/s, each VM restarted once: 1.8 M lines. */
    @Test
    void fastEnoughForThreeHundredVmsTenMinutes() throws Exception {
        long t0 = 1_700_000_000_000_000L;
        for (int vm = 0; vm < 300; vm++) {
            try (BufferedWriter w = Files.newBufferedWriter(disks.resolve("vm" + vm + ".disk"))) {
                for (int i = 0; i < 6_000; i++) {
                    String instance = i < 3_000 ? "h" + (vm % 7) + ".e1." + vm : "h" + (vm % 5) + ".e2." + vm;
                    w.write(instance + ' ' + (t0 + i * 100_000L + (i < 3_000 ? 0 : 50_000)) + '\n');
                }
            }
        }
        long start = System.nanoTime();
        Result r = DoubleRunChecker.check(disks);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("checker: 300 VMs x 6000 lines checked in %d ms%n", millis);
        assertEquals(600, r.totalInstances());
        assertTrue(r.clean());
        assertTrue(millis < 10_000, "took " + millis + " ms");
    }
}
