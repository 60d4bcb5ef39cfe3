package io.vmha.coordination;

import static io.vmha.coordination.ZkTestSupport.startedClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.InvalidInputException;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** Operator actions on a real ZooKeeper: HA on/off, stop and start keep the epoch rules and are audited. */
class VmControlTest {
    private static Ownership owner(CuratorFramework client, PoolPaths paths, String vm) throws Exception {
        return Json.decode(paths.owner(vm), client.getData().forPath(paths.owner(vm)), Ownership.class);
    }

    @Test void haStopAndStart() throws Exception {
        try (TestingServer server = ZkTestSupport.fastServer();
             CuratorFramework client = startedClient(server.getConnectString())) {
            PoolPaths paths = new PoolPaths("p1");
            new PoolAdmin(client, "p1").addVm(VmSpec.sim("web1", 512));
            Ownership running = Ownership.first("web1", "h1", "new").running("i-1", "running");
            client.create().creatingParentsIfNeeded().forPath(paths.owner("web1"), Json.encode(running));
            VmControl control = new VmControl(client, "p1", "jmx@h1");

            assertTrue(control.setHaEnabled("web1", false).contains("HA off"));
            assertFalse(Json.decode(paths.vm("web1"), client.getData().forPath(paths.vm("web1")), VmSpec.class).haEnabled());
            assertTrue(control.setHaEnabled("web1", false).contains("nothing changed"));

            control.stop("web1");
            Ownership stopping = owner(client, paths, "web1");
            assertEquals(VmState.STOPPING, stopping.state());
            assertEquals("h1", stopping.host(), "the owner stops it itself");
            assertEquals(1, stopping.epoch(), "a stop keeps the epoch");

            assertTrue(control.start("web1").contains("only a STOPPED or ERROR VM"), "not started while STOPPING");
            // The owner reports STOPPED (what HostLogic does), then the operator starts it again.
            client.setData().forPath(paths.owner("web1"), Json.encode(stopping.stopped()));
            control.start("web1");
            Ownership pending = owner(client, paths, "web1");
            assertEquals(VmState.PENDING, pending.state());
            assertEquals("", pending.host(), "the master places it, the operator never names an owner");
            assertEquals(2, pending.epoch(), "a start bumps the epoch");

            List<String> audit = new PoolAdmin(client, "p1").events(0).stream().map(e -> e.source() + ": " + e.message()).toList();
            assertTrue(audit.stream().anyMatch(l -> l.startsWith("jmx@h1: vm web1 => STOPPING")), audit.toString());
            assertTrue(audit.stream().anyMatch(l -> l.startsWith("jmx@h1: vm web1 => PENDING")), audit.toString());

            InvalidInputException e = assertThrows(InvalidInputException.class, () -> control.stop("nope"));
            assertTrue(e.getMessage().contains("nope"), e.getMessage());
        }
    }
}
