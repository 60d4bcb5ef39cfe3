package io.vmha.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes whose command lines carry a marker, seen by the census and judged by the checker. */
class ProcessCensusTest {
    private static final String MARKER = "vmha-census-test-" + ProcessHandle.current().pid();

    /** argv: bash -c SCRIPT MARKER VM INSTANCE (the script waits on builtins only: bash stays the process) */
    private static Optional<ProcessCensus.Identity> identify(List<String> argv) {
        int i = argv.indexOf(MARKER);
        if (i < 0 || i + 2 >= argv.size()) return Optional.empty();
        return Optional.of(new ProcessCensus.Identity(argv.get(i + 1), argv.get(i + 2)));
    }

    private static Process vm(String vm, String instance) throws Exception {
        return new ProcessBuilder("bash", "-c", "exec {t}<> <(:); read -t 30 -u \"$t\"", MARKER, vm, instance).start();
    }

    @Test
    void twoInstancesAliveTogetherAreADoubleRunAndOneAfterTheOtherIsNot(@TempDir Path dir) throws Exception {
        Path disks = dir.resolve("disks");
        try (ProcessCensus census = new ProcessCensus(disks, MARKER, ProcessCensusTest::identify, 20).start()) {
            Process a1 = vm("vm-a", "a#1");
            Thread.sleep(300);
            a1.destroyForcibly().waitFor();
            Thread.sleep(100);
            Process a2 = vm("vm-a", "a#2"); // after a1: fine
            Process b1 = vm("vm-b", "b#1");
            Process b2 = vm("vm-b", "b#2"); // with b1: a double run
            Thread.sleep(300);
            for (Process p : List.of(a2, b1, b2)) p.destroyForcibly().waitFor();
            Thread.sleep(60);
            assertTrue(census.samples() > 10, "sampled " + census.samples() + " times");
        }
        DoubleRunChecker.Result result = DoubleRunChecker.check(disks);
        assertEquals(List.of("a#1", "a#2"), result.spansByVm().get("vm-a").stream().map(DoubleRunChecker.InstanceSpan::instance).toList());
        assertEquals(1, result.doubleRuns().size(), result.doubleRuns().toString());
        assertEquals("vm-b", result.doubleRuns().get(0).vm());
    }

    /** The instance named in a test process's argv. */
    private static String instance(List<String> argv) {
        return identify(argv).map(ProcessCensus.Identity::instance).orElse("?");
    }

    @Test
    void aPausedProcessDoesNotRunAndAnUnaskableOneDoes(@TempDir Path dir) throws Exception {
        Path disks = dir.resolve("disks");
        // m#2 is a migration target, paused; n#1 and n#2 cannot be asked (the probe throws for one, says true for the other).
        ProcessCensus.Probe probe = argv -> {
            String i = instance(argv);
            if (i.equals("m#2")) return false;
            return true;
        };
        List<Process> all = new ArrayList<>();
        try (ProcessCensus census = new ProcessCensus(disks, MARKER, ProcessCensusTest::identify, probe, 20).start()) {
            for (String[] vm : new String[][]{{"vm-m", "m#1"}, {"vm-m", "m#2"}, {"vm-n", "n#1"}, {"vm-n", "n#2"}}) {
                all.add(vm(vm[0], vm[1]));
            }
            Thread.sleep(300);
            for (Process p : all) p.destroyForcibly().waitFor();
            assertTrue(census.samples() > 5, "sampled " + census.samples() + " times");
        }
        assertTrue(Files.readString(disks.resolve("vm-m.disk")).contains("m#1 "));
        assertTrue(!Files.readString(disks.resolve("vm-m.disk")).contains("m#2 "), "a paused instance writes nothing");
        DoubleRunChecker.Result result = DoubleRunChecker.check(disks);
        assertEquals(List.of("vm-n"), result.doubleRuns().stream().map(DoubleRunChecker.DoubleRun::vm).distinct().toList(),
                result.doubleRuns().toString());
    }

    @Test
    void twoExecutingInstancesAreAskedAgainInReverseOrder(@TempDir Path dir) throws Exception {
        Path disks = dir.resolve("disks");
        // A migration's switch-over between two questions: s#1 (the source, started first, so listed first in /proc)
        // says "running", then the census asks t#1 (the target, resumed meanwhile), and from then on s#1 is paused
        // when asked next. Asked once each, both would count: a false double run.
        List<String> calls = new ArrayList<>();
        ProcessCensus.Probe probe = argv -> {
            String i = instance(argv);
            boolean paused = i.equals("s#1") && !calls.isEmpty() && calls.get(calls.size() - 1).equals("t#1");
            calls.add(i);
            return !paused;
        };
        Process s1 = vm("vm-s", "s#1");
        Thread.sleep(50);
        Process t1 = vm("vm-s", "t#1");
        try (ProcessCensus census = new ProcessCensus(disks, MARKER, ProcessCensusTest::identify, probe, 20).start()) {
            Thread.sleep(300);
        } finally {
            for (Process p : List.of(s1, t1)) p.destroyForcibly().waitFor();
        }
        assertTrue(String.join(",", calls).contains("s#1,t#1,t#1,s#1"), "asked again in reverse: " + calls);
        DoubleRunChecker.Result result = DoubleRunChecker.check(disks);
        assertEquals(List.of(), result.doubleRuns());
        assertTrue(Files.readString(disks.resolve("vm-s.disk")).contains("t#1 "));
    }

    @Test
    void aDyingProcessThatCannotBeAskedIsNoDoubleRun(@TempDir Path dir) throws Exception {
        Path disks = dir.resolve("disks");
        // d#2 is a paused migration target whose host loses power: its monitor stops answering (counted as executing)
        // a moment before the process is gone. The census waits, sees it gone, and counts only d#1.
        Process d1 = vm("vm-d", "d#1");
        Process d2 = vm("vm-d", "d#2");
        ProcessCensus.Probe probe = argv -> {
            if (instance(argv).equals("d#2")) d2.destroyForcibly(); // dies while being asked; "cannot ask" = executing
            return true;
        };
        try (ProcessCensus census = new ProcessCensus(disks, MARKER, ProcessCensusTest::identify, probe, 20).start()) {
            Thread.sleep(300);
            assertTrue(census.samples() > 3, "sampled " + census.samples() + " times");
        } finally {
            for (Process p : List.of(d1, d2)) p.destroyForcibly().waitFor();
        }
        assertEquals(List.of(), DoubleRunChecker.check(disks).doubleRuns());
        assertTrue(Files.readString(disks.resolve("vm-d.disk")).contains("d#1 "));
    }

    @Test
    void aLiveProcessThatCannotBeAskedStillCounts(@TempDir Path dir) throws Exception {
        Path disks = dir.resolve("disks");
        Process e1 = vm("vm-e", "e#1");
        Process e2 = vm("vm-e", "e#2");
        try (ProcessCensus census = new ProcessCensus(disks, MARKER, ProcessCensusTest::identify, argv -> true, 20).start()) {
            Thread.sleep(300);
        } finally {
            for (Process p : List.of(e1, e2)) p.destroyForcibly().waitFor();
        }
        assertEquals(List.of("vm-e"), DoubleRunChecker.check(disks).doubleRuns().stream().map(DoubleRunChecker.DoubleRun::vm)
                .distinct().toList());
    }
}
