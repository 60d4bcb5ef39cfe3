package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.CLOCK;
import static io.vmha.coordination.ZkTestSupport.await;
import static io.vmha.coordination.ZkTestSupport.startedClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.HostCapacity;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Ownership;
import io.vmha.core.Versioned;
import io.vmha.core.VmSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

class PoolAdminTest {
    @Test
    void addListRemoveAndStatus() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework cli = startedClient(server.getConnectString());
             CuratorFramework daemon = startedClient(server.getConnectString());
             ZooKeeperCoordination host = new ZooKeeperCoordination(daemon, "p1", "host-a", CLOCK, (s, m) -> {}, 200)) {
            PoolAdmin admin = new PoolAdmin(cli, "p1");
            admin.addVm(VmSpec.sim("web", 512));
            admin.addVm(VmSpec.sim("db", 1024));

            InvalidInputException duplicate = assertThrows(InvalidInputException.class, () -> admin.addVm(VmSpec.sim("web", 2048)));
            assertEquals("vm.name", duplicate.field());
            assertEquals("web", duplicate.value());
            assertTrue(duplicate.getMessage().contains("not already registered in pool p1"), duplicate.getMessage());
            assertEquals(512, admin.listVms().get(1).memoryMib(), "the first spec was kept");

            InvalidInputException unknown = assertThrows(InvalidInputException.class, () -> admin.removeVm("nope"));
            assertTrue(unknown.getMessage().contains("[db, web]") && unknown.getMessage().contains("nothing was changed"),
                    unknown.getMessage());

            host.start();
            host.publishHost(new HostRecord("host-a", new HostCapacity(4096, 4), 7, HostState.ACTIVE));
            assertTrue(host.writeOwner(Ownership.first("web", "host-a", "placed"), Versioned.ABSENT));
            await("host-a master", Duration.ofSeconds(5), host::isMaster);

            PoolAdmin.PoolStatus status = admin.status();
            assertEquals("p1", status.pool());
            assertEquals("host-a", status.master());
            assertEquals(List.of("host-a"), status.members().stream().map(HostRecord::name).toList());
            assertEquals(List.of("db", "web"), status.vms().stream().map(VmSpec::name).toList());
            assertEquals(List.of("web"), status.owners().stream().map(Ownership::vm).toList());
            assertEquals(List.of(), status.problems());

            admin.removeVm("db");
            assertEquals(List.of("web"), admin.listVms().stream().map(VmSpec::name).toList());

            host.event("host-a", "vm web started"); // stored in the background: the daemon loop never waits for it
            List<PoolEvent> events = ZkTestSupport.eventually("the host's event stored", java.time.Duration.ofSeconds(10), () -> {
                List<PoolEvent> now = admin.events(0);
                if (now.size() < 4) throw new IllegalStateException(now.size() + " events so far");
                return now;
            });
            assertEquals(List.of("vm web added (512 MiB, 1 vCPU, ha on)", "vm db added (1024 MiB, 1 vCPU, ha on)",
                    "vm db removed", "vm web started"), events.stream().map(PoolEvent::message).toList());
            assertTrue(events.get(0).sequence() < events.get(3).sequence());
            assertEquals(List.of(), admin.events(System.currentTimeMillis() + 60_000));
        }
    }

    @Test
    void corruptVmNodeIsSkippedAndReportedNotThrown() throws Exception {
        ZkTestSupport.RecordingJournal journal = new ZkTestSupport.RecordingJournal();
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework client = startedClient(server.getConnectString());
             ZooKeeperCoordination host = new ZooKeeperCoordination(client, "p1", "host-a", CLOCK, journal, 200)) {
            PoolAdmin admin = new PoolAdmin(client, "p1");
            PoolPaths paths = new PoolPaths("p1");
            admin.addVm(VmSpec.sim("good", 256));
            client.create().creatingParentsIfNeeded().forPath(paths.vm("bad"), "{not json".getBytes(StandardCharsets.UTF_8));
            // Valid JSON, but the record refuses it: memory 0.
            client.create().forPath(paths.vm("zero"),
                    "{\"name\":\"zero\",\"memoryMib\":0,\"vcpus\":1,\"driver\":\"sim\",\"driverParams\":{},\"haEnabled\":true,\"preferredHosts\":[]}"
                            .getBytes(StandardCharsets.UTF_8));
            // A spec stored under another VM's name.
            client.create().forPath(paths.vm("alias"), Json.encode(VmSpec.sim("good", 256)));

            host.start();
            await("view with the good vm", Duration.ofSeconds(5), () -> host.view().vms().containsKey("good"));
            await("all three corrupt nodes reported", Duration.ofSeconds(5),
                    () -> journal.contains(paths.vm("bad")) && journal.contains(paths.vm("zero")) && journal.contains(paths.vm("alias")));
            assertEquals(List.of("good"), List.copyOf(host.view().vms().keySet()));
            assertTrue(journal.contains("vm.memory-mib: 0 is not accepted"), journal.lines().toString());
            int reports = journal.lines().size();
            host.view();
            assertEquals(reports, journal.lines().size(), "a corrupt node is reported once, not on every view()");

            assertEquals(List.of("good"), admin.listVms().stream().map(VmSpec::name).toList());
            List<String> problems = admin.status().problems();
            assertEquals(3, problems.size(), problems.toString());
            assertTrue(problems.stream().anyMatch(p -> p.startsWith("corrupt node " + paths.vm("bad"))), problems.toString());
        }
    }
}
