package io.vmha.simulation;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded randomized runs: a random pool and fault mix per seed, the invariants checked after every event.
 * {@code -Dvmha.seeds=N} runs seeds 1..N (default 200); {@code -Dvmha.seed=S} replays one seed
 * (add {@code -Dvmha.sim.echo=true} to print its log as it runs).
 */
class RandomizedSimulationTest {
    static Simulation.Result run(long seed) {
        Random random = new Random(seed);
        RandomScenario scenario = new RandomScenario(seed, random);
        String replay = "mvn -B -o -q -pl ha-service test -Dtest=RandomizedSimulationTest -Dvmha.seed=" + seed
                + " [-Dvmha.sim.echo=true]";
        return new Simulation(scenario.cluster, scenario.commands, random, replay).run();
    }

    @TestFactory
    Stream<DynamicTest> seeds() {
        String one = System.getProperty("vmha.seed", "");
        LongStream seeds = one.isEmpty() ? LongStream.rangeClosed(1, Long.getLong("vmha.seeds", 200))
                : LongStream.of(Long.parseLong(one));
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> run(seed)));
    }

    @Test
    void sameSeedSameLog() {
        assertEquals(run(7).log(), run(7).log());
    }
}
