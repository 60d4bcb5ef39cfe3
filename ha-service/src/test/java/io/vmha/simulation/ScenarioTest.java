package io.vmha.simulation;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every directory under {@code src/test/resources/scenarios/} through the simulator and diffs the log
 * against its {@code expected.log}. With {@code -Dvmha.regenerate=true} it rewrites {@code expected.log}
 * instead (then review the diff with git). {@code -Dvmha.scenario=NAME} runs one directory.
 */
class ScenarioTest {
    static final Path SOURCE_DIR = Paths.get("src", "test", "resources", "scenarios");

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        String only = System.getProperty("vmha.scenario", "");
        List<Path> dirs;
        try (Stream<Path> s = Files.list(SOURCE_DIR)) {
            dirs = s.filter(Files::isDirectory).filter(d -> only.isEmpty() || d.getFileName().toString().equals(only))
                    .sorted().toList();
        }
        assertFalse(dirs.isEmpty(), "no scenario directories under " + SOURCE_DIR.toAbsolutePath());
        return dirs.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> runScenario(dir)));
    }

    static Simulation.Result run(Path dir) {
        ClusterSpec cluster = ClusterSpec.parse(read(dir.resolve("cluster")));
        List<Command> commands = new ArrayList<>();
        for (String line : read(dir.resolve("commands"))) {
            Command c = Command.parse(line);
            if (c != null) commands.add(c);
        }
        String replay = "mvn -B -o -q -pl ha-service test -Dtest=ScenarioTest -Dvmha.scenario=" + dir.getFileName();
        return new Simulation(cluster, commands, new Random(cluster.seed), replay).run();
    }

    private static void runScenario(Path dir) throws IOException {
        assertTrue(Files.isRegularFile(dir.resolve("README")), dir + " has no one-line README");
        Simulation.Result result = run(dir);
        Path expected = dir.resolve("expected.log");
        String actual = String.join("\n", result.log()) + "\n";
        if (Boolean.getBoolean("vmha.regenerate")) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(expected)) fail(expected + " is missing; run with -Dvmha.regenerate=true and review it");
        List<String> want = read(expected);
        List<String> got = result.log();
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            if (!want.get(i).equals(got.get(i))) {
                fail(dir.getFileName() + ": log differs at line " + (i + 1) + "\n  expected: " + want.get(i)
                        + "\n  actual:   " + got.get(i) + "\n(-Dvmha.regenerate=true rewrites expected.log; review the diff)");
            }
        }
        assertEquals(want.size(), got.size(), dir.getFileName() + ": log length differs (-Dvmha.regenerate=true rewrites it)");
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
