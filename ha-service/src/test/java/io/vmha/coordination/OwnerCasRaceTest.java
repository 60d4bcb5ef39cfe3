package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.CLOCK;
import static io.vmha.coordination.ZkTestSupport.await;
import static io.vmha.coordination.ZkTestSupport.startedClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.InvalidInputException;
import io.vmha.core.Ownership;
import io.vmha.core.Versioned;
import io.vmha.core.VmState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** Two would-be masters (e.g. an old one that has not noticed it lost mastership) race on one owners/ node. */
class OwnerCasRaceTest {
    private static final int ROUNDS = 20;

    @Test
    void exactlyOneWriterWinsEachRoundAndItsRecordIsStored() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework clientA = startedClient(server.getConnectString());
             CuratorFramework clientB = startedClient(server.getConnectString());
             ZooKeeperCoordination a = new ZooKeeperCoordination(clientA, "p1", "host-a", CLOCK, (s, m) -> {}, 200);
             ZooKeeperCoordination b = new ZooKeeperCoordination(clientB, "p1", "host-b", CLOCK, (s, m) -> {}, 200)) {
            a.start();
            b.start();
            await("both connected", Duration.ofSeconds(5), () -> a.connection().connected() && b.connection().connected());

            // Round 0 races on creation (ABSENT); the others on the version both read from their views.
            int version = Versioned.ABSENT;
            Ownership current = null;
            for (int round = 0; round <= ROUNDS; round++) {
                Ownership fromA = current == null ? Ownership.first("vm1", "host-a", "race")
                        : current.reassign("host-a", VmState.STARTING, List.of(), "round " + round + " by a");
                // b claims a different epoch so the stored record tells the winners apart.
                Ownership fromB = current == null ? new Ownership("vm1", "host-b", VmState.STARTING, 2, List.of(), "", "race")
                        : new Ownership("vm1", "host-b", VmState.STARTING, current.epoch() + 2, List.of(), "", "round " + round + " by b");
                CountDownLatch go = new CountDownLatch(1);
                int expected = version;
                Future<Boolean> wonA = pool.submit(writer(a, fromA, expected, go));
                Future<Boolean> wonB = pool.submit(writer(b, fromB, expected, go));
                go.countDown();
                boolean aWon = wonA.get(10, TimeUnit.SECONDS);
                boolean bWon = wonB.get(10, TimeUnit.SECONDS);
                assertTrue(aWon ^ bWon, "round " + round + ": exactly one CAS succeeds (a=" + aWon + ", b=" + bWon + ")");

                Ownership winner = aWon ? fromA : fromB;
                int nextVersion = version + 1;
                await("both views at version " + nextVersion, Duration.ofSeconds(5), () -> atVersion(a, nextVersion) && atVersion(b, nextVersion));
                Versioned<Ownership> stored = b.view().owners().get("vm1");
                assertEquals(winner, stored.value(), "round " + round);
                assertEquals(winner.epoch(), stored.value().epoch());
                current = winner;
                version = nextVersion;
            }

            // A stale version is a plain false, not an error, and changes nothing.
            assertFalse(a.writeOwner(current.reassign("host-a", VmState.STARTING, List.of(), "stale"), version - 1));
            assertFalse(a.deleteOwner("vm1", version - 1));
            assertThrows(InvalidInputException.class, () -> a.deleteOwner("vm1", Versioned.ABSENT));
            assertTrue(a.deleteOwner("vm1", version));
            assertFalse(a.deleteOwner("vm1", version), "already gone");
            await("owner gone from b's view", Duration.ofSeconds(5), () -> !b.view().owners().containsKey("vm1"));
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean atVersion(ZooKeeperCoordination c, int version) {
        Versioned<Ownership> v = c.view().owners().get("vm1");
        return v != null && v.version() == version;
    }

    private static Callable<Boolean> writer(ZooKeeperCoordination c, Ownership next, int expected, CountDownLatch go) {
        return () -> {
            go.await();
            return c.writeOwner(next, expected);
        };
    }
}
