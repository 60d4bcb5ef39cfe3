package io.vmha.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
}
