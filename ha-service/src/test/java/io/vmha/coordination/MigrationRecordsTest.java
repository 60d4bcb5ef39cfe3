package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.CLOCK;
import static io.vmha.coordination.ZkTestSupport.await;
import static io.vmha.coordination.ZkTestSupport.startedClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.HostCapacity;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.InvalidInputException;
import io.vmha.core.MigrationPlan;
import io.vmha.core.MigrationRequest;
import io.vmha.core.MigrationStatus;
import io.vmha.core.Ownership;
import io.vmha.core.Versioned;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** The live-migration records in JSON and in a real ZooKeeper: plans in owners/, statuses in hosts/, requests in migrations/. */
class MigrationRecordsTest {
    private static final MigrationPlan PLAN = new MigrationPlan("m1", "h2", "0123456789abcdef0123", 0, 300, "operator");

    @Test
    void migrationRecordsRoundTripAndOlderRecordsStillRead() throws Exception {
        Ownership running = new Ownership("vm1", "h1", VmState.RUNNING, 4, List.of(), "i-1", "running");
        Ownership migrating = running.migrating(PLAN);
        assertEquals(migrating, Json.decode("/x/owners/vm1", Json.encode(migrating), Ownership.class));
        HostRecord host = new HostRecord("h1", new HostCapacity(2048, 2), 42, HostState.ACTIVE).withDriver("qemu")
                .withTunnel("127.0.0.1:7450 openssl")
                .withMigrations(List.of(new MigrationStatus("vm1", "m1", "source", "SENDING", 4 << 20, 64 << 20, "")));
        assertEquals(host, Json.decode("/x/hosts/h1", Json.encode(host), HostRecord.class));
        MigrationRequest request = new MigrationRequest("vm1", "c1", "h2", 0, 0, false, "cli@a");
        assertEquals(request, Json.decode("/x/migrations/vm1", Json.encode(request), MigrationRequest.class));
        // Written before live migration existed: no migration, no tunnel, no statuses.
        byte[] old = "{\"vm\":\"vm1\",\"host\":\"h1\",\"state\":\"RUNNING\",\"epoch\":3,\"failures\":[],\"instance\":\"i\",\"reason\":\"r\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertNull(Json.decode("/x/owners/vm1", old, Ownership.class).migration());
        byte[] oldHost = "{\"name\":\"h1\",\"capacity\":{\"memoryMib\":2048,\"vcpus\":2},\"incarnation\":42,\"state\":\"ACTIVE\",\"alarms\":[]}"
                .getBytes(StandardCharsets.UTF_8);
        HostRecord h = Json.decode("/x/hosts/h1", oldHost, HostRecord.class);
        assertEquals("", h.tunnel());
        assertFalse(h.migrates());
        assertEquals(List.of(), h.migrations());
    }

    @Test
    void theTokenNeverShowsInLogsAndAMigratingRecordNeedsAPlan() {
        assertFalse(PLAN.toString().contains(PLAN.token()), PLAN.toString());
        assertThrows(InvalidInputException.class, () -> new Ownership("vm1", "h1", VmState.MIGRATING, 1, List.of(), "", "", null));
        InvalidInputException shortToken = assertThrows(InvalidInputException.class, () -> new MigrationPlan("m1", "h2", "short", 0, 0, ""));
        assertEquals("migration.token", shortToken.field());
    }

    @Test
    void requestsReachTheMastersViewAndOnlyOneWaitsPerVm() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework cli = startedClient(server.getConnectString());
             CuratorFramework daemon = startedClient(server.getConnectString());
             ZooKeeperCoordination host = new ZooKeeperCoordination(daemon, "p1", "host-a", CLOCK, (s, m) -> {}, 200)) {
            PoolAdmin admin = new PoolAdmin(cli, "p1");
            admin.addVm(VmSpec.sim("web", 512));
            host.start();
            InvalidInputException unknown = assertThrows(InvalidInputException.class,
                    () -> admin.requestMigration(new MigrationRequest("nope", "c1", "", 0, 0, false, "test")));
            assertTrue(unknown.getMessage().contains("[web]"), unknown.getMessage());

            admin.requestMigration(new MigrationRequest("web", "c2", "host-b", 0, 0, false, "test"));
            InvalidInputException twice = assertThrows(InvalidInputException.class,
                    () -> admin.requestMigration(new MigrationRequest("web", "c3", "", 0, 0, true, "test")));
            assertTrue(twice.getMessage().contains("pending migration request"), twice.getMessage());
            assertEquals("c2", admin.pendingRequest("web").orElseThrow().id());

            await("request in the view", Duration.ofSeconds(5), () -> host.view().requests().containsKey("web"));
            Versioned<MigrationRequest> seen = host.view().requests().get("web");
            assertEquals("host-b", seen.value().to());
            assertFalse(host.deleteRequest("web", seen.version() + 1), "a stale version deletes nothing");
            assertTrue(host.deleteRequest("web", seen.version()));
            assertTrue(admin.pendingRequest("web").isEmpty());
            await("request gone from the view", Duration.ofSeconds(5), () -> !host.view().requests().containsKey("web"));
        }
    }
}
