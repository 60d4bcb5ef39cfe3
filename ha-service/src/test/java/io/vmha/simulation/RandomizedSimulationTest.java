package io.vmha.simulation;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded randomized runs: a random pool and fault mix per seed, the invariants checked after every event.
 * <ul>
 * <li>{@link #seeds()}: the lease-only pool, seeds 1..{@code -Dvmha.seeds} (200);</li>
 * <li>{@link #diskSeeds()}: the pool with a heartbeat disk and fence guards, seeds 1..{@code -Dvmha.disk.seeds}
 *     (1000), run on every core at once.</li>
 * </ul>
 * {@code -Dvmha.seed=S} replays one seed of the lease-only mix, {@code -Dvmha.seed=S -Dvmha.disk=true} one of
 * the disk mix (add {@code -Dvmha.sim.echo=true} to print its log as it runs).
 */
class RandomizedSimulationTest {
    static Simulation.Result run(long seed) {
        Random random = new Random(seed);
        RandomScenario scenario = new RandomScenario(seed, random);
        String replay = "mvn -B -o -q -pl ha-service test -Dtest=RandomizedSimulationTest -Dvmha.seed=" + seed
                + " [-Dvmha.sim.echo=true]";
        return new Simulation(scenario.cluster, scenario.commands, random, replay).run();
    }

    static Simulation.Result runWithDisk(long seed) {
        Random random = new Random(seed);
        RandomScenario scenario = RandomScenario.withDisk(seed, random);
        String replay = "mvn -B -o -q -pl ha-service test -Dtest=RandomizedSimulationTest -Dvmha.seed=" + seed
                + " -Dvmha.disk=true [-Dvmha.sim.echo=true]";
        return new Simulation(scenario.cluster, scenario.commands, random, replay).run();
    }

    private static final String ONE = System.getProperty("vmha.seed", "");
    private static final boolean DISK = Boolean.getBoolean("vmha.disk");

    @TestFactory
    Stream<DynamicTest> seeds() {
        if (!ONE.isEmpty() && DISK) return Stream.empty();
        LongStream seeds = ONE.isEmpty() ? LongStream.rangeClosed(1, Long.getLong("vmha.seeds", 200))
                : LongStream.of(Long.parseLong(ONE));
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> run(seed)));
    }

    @TestFactory
    Stream<DynamicTest> diskSeeds() {
        if (!ONE.isEmpty() && !DISK) return Stream.empty();
        List<Long> seeds = (ONE.isEmpty() ? LongStream.rangeClosed(1, Long.getLong("vmha.disk.seeds", 1000))
                : LongStream.of(Long.parseLong(ONE))).boxed().toList();
        // Each run is one thread and shares nothing: run them on every core, report them one by one.
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        List<CompletableFuture<Simulation.Result>> runs = seeds.stream()
                .map(seed -> CompletableFuture.supplyAsync(() -> runWithDisk(seed), pool)).toList();
        pool.shutdown();
        return LongStream.range(0, seeds.size()).mapToObj(i -> DynamicTest.dynamicTest("disk seed " + seeds.get((int) i), () -> {
            try {
                runs.get((int) i).get();
            } catch (ExecutionException e) {
                throw e.getCause();
            }
        }));
    }

    @Test
    void sameSeedSameLog() {
        assertEquals(run(7).log(), run(7).log());
        assertEquals(runWithDisk(7).log(), runWithDisk(7).log());
    }
}
