package io.vmha.simulation;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker is not vacuous: a run that does go wrong fails, with the seed and the way to replay it. */
class InvariantsTest {
    @Test
    void aDoubleRunFailsTheRunWithSeedReplayAndLogTail() throws Exception {
        Path dir = ScenarioTest.SOURCE_DIR.resolve("pause-beyond-session-known-limitation");
        ClusterSpec cluster = ClusterSpec.parse(Files.readAllLines(dir.resolve("cluster")));
        cluster.doubleRunIsKnownLimitation = false;
        List<Command> commands = List.of(Command.parse("5.0 pause h2"), Command.parse("16.0 resume h2"));
        SimulationFailure failure = assertThrows(SimulationFailure.class,
                () -> new Simulation(cluster, commands, new Random(cluster.seed), "REPLAY-HINT").run());
        assertTrue(failure.getMessage().contains("(a) vm v2 runs twice"), failure.getMessage());
        assertTrue(failure.getMessage().contains("seed 1"), failure.getMessage());
        assertTrue(failure.getMessage().contains("REPLAY-HINT"), failure.getMessage());
        assertTrue(failure.getMessage().contains("command  pause h2"), failure.getMessage());
    }

    @Test
    void theKnownLimitationIsCountedNotHidden() {
        Simulation.Result r = ScenarioTest.run(ScenarioTest.SOURCE_DIR.resolve("pause-beyond-session-known-limitation"));
        assertEquals(1, r.doubleRuns());
    }

    @Test
    void withoutItsFenceGuardAPausedDaemonRunsAVmTwiceEvenWithTheDisk() {
        Path dir = ScenarioTest.SOURCE_DIR.resolve("pause-beyond-session-guard-fences");
        assertEquals(0, ScenarioTest.run(dir).doubleRuns());
        ClusterSpec cluster = ClusterSpec.parse(readLines(dir.resolve("cluster")));
        cluster.fenceGuard = false;
        List<Command> commands = List.of(Command.parse("5.0 pause h2"), Command.parse("16.0 resume h2"));
        SimulationFailure failure = assertThrows(SimulationFailure.class,
                () -> new Simulation(cluster, commands, new Random(cluster.seed), "x").run());
        assertTrue(failure.getMessage().contains("(a) vm v2 runs twice"), failure.getMessage());
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anUnsettledPoolFailsTheEndCheck() {
        ClusterSpec cluster = new ClusterSpec();
        cluster.durationMillis = 20_000;
        cluster.hosts.add(new ClusterSpec.Host("h1", new io.vmha.core.HostCapacity(8192, 8), 0));
        cluster.vms.add(io.vmha.core.VmSpec.sim("v1", 1024));
        // The only host stays cut off: v1 cannot run at the end, and (d) must say so.
        List<Command> commands = List.of(Command.parse("3.0 partition h1"));
        SimulationFailure failure = assertThrows(SimulationFailure.class,
                () -> new Simulation(cluster, commands, new Random(1), "x").run());
        assertTrue(failure.getMessage().contains("(d)"), failure.getMessage());
    }
}
