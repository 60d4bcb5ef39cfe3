package io.vmha.system.health;

import io.vmha.agent.Agent;
import io.vmha.checker.DoubleRunChecker;
import io.vmha.config.AgentConfig;
import io.vmha.coordination.Curators;
import io.vmha.coordination.PoolAdmin;
import io.vmha.core.HealthAction;
import io.vmha.core.HealthPolicy;
import io.vmha.core.HostCapacity;
import io.vmha.core.HostRecord;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import io.vmha.health.NicLinkMonitor;
import io.vmha.system.SystemTools;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real NIC going down, through a real pool. h1's business NIC ({@code biz}) is one end of a veth pair whose peer
 * sits in its own network namespace; h2 carries {@code biz} on {@code lo} (always up). Two {@link Agent}s with the
 * sim driver share an embedded ZooKeeper (Curator TestingServer). After {@code ip link set DEV down}: the NIC monitor
 * sees it, h1 publishes that it no longer provides biz, the VMs needing biz move to h2 (stopped on h1 first, then
 * started under a new epoch), and h1's other VMs stay. Prints the detection and move latencies. The veth pair and
 * the namespace are removed also on failure.
 */
class NicDownIT {
    private static final String POOL = "nicdown";
    private static final long NIC_INTERVAL_MS = 100;
    private static final int NIC_FAILURES = 2;

    private final String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final String dev = "vmhand" + suffix + "a";
    private final String peer = "vmhand" + suffix + "b";
    private final String netns = "vmha-nicdown-" + suffix;
    private final List<AutoCloseable> open = new ArrayList<>();
    private Path ip;

    @TempDir Path dir;

    @AfterEach
    void cleanUp() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
        if (ip != null) {
            run(false, ip.toString(), "link", "del", dev); // takes the peer with it
            run(false, ip.toString(), "netns", "del", netns);
        }
    }

    @Test
    void aDownBusinessNicMovesOnlyTheVmsNeedingIt() throws Exception {
        ip = SystemTools.require("ip", "iproute2");
        run(true, ip.toString(), "netns", "add", netns);
        run(true, ip.toString(), "link", "add", dev, "type", "veth", "peer", "name", peer, "netns", netns);
        run(true, ip.toString(), "link", "set", dev, "up");
        run(true, ip.toString(), "-n", netns, "link", "set", peer, "up");
        NicLinkMonitor raw = new NicLinkMonitor(dev);
        await("veth " + dev + " up", 10_000, () -> raw.read(0).up());

        TestingServer zk = new TestingServer(true);
        open.add(zk);
        Path shared = dir.resolve("shared");
        Agent h1 = agent("h1", dev, zk.getConnectString(), shared);
        Agent h2 = agent("h2", "lo", zk.getConnectString(), shared);
        CuratorFramework client = Curators.newClient(zk.getConnectString(), 6000, 5000);
        client.start();
        open.add(client);
        PoolAdmin admin = new PoolAdmin(client, POOL);
        await("both hosts publish biz", 30_000, () -> hosts(admin, h -> h.networks().contains("biz")) == 2);
        for (String vm : List.of("b1", "b2", "p1", "p2")) {
            List<String> networks = vm.startsWith("b") ? List.of("biz") : List.of();
            admin.addVm(new VmSpec(vm, 256, 1, "sim", Map.of(), true, List.of("h1"), networks));
        }
        await("all four VMs running on h1", 30_000, () -> running(admin, "h1") == 4);
        Map<String, Ownership> before = admin.status().ownerMap();

        long t0 = System.nanoTime();
        run(true, ip.toString(), "link", "set", dev, "down");
        long sysfsMs = awaitMs("sysfs shows " + dev + " down", t0, 5_000, () -> !raw.read(0).up());
        long publishedMs = awaitMs("h1 stops providing biz", t0, 10_000,
                () -> hosts(admin, h -> h.name().equals("h1") && !h.networks().contains("biz")) == 1);
        long movedMs = awaitMs("b1 and b2 running on h2", t0, 30_000, () -> {
            Map<String, Ownership> o = admin.status().ownerMap();
            return runsOn(o.get("b1"), "h2") && runsOn(o.get("b2"), "h2");
        });

        Map<String, Ownership> after = admin.status().ownerMap();
        for (String vm : List.of("p1", "p2")) {
            assertTrue(runsOn(after.get(vm), "h1"), vm + " should stay on h1: " + after.get(vm));
            assertEquals(before.get(vm).epoch(), after.get(vm).epoch(), vm + " must not have been restarted");
        }
        for (String vm : List.of("b1", "b2")) {
            assertEquals(before.get(vm).epoch() + 1, after.get(vm).epoch(), vm + " moved exactly once");
        }
        HostRecord h1Record = admin.status().memberMap().get("h1");
        assertTrue(h1Record.alarms().stream().anyMatch(a -> a.startsWith(HostRecord.NETWORK_LOST)), h1Record.toString());
        Thread.sleep(1000); // let the moved instances write, so the checker sees both sides of every move
        DoubleRunChecker.Result check = DoubleRunChecker.check(shared.resolve("disks"));
        assertTrue(check.clean(), DoubleRunChecker.describe(check));
        System.out.printf("NicDownIT: %s down -> sysfs shows it %d ms, h1 publishes biz lost %d ms (monitor every %d ms,"
                        + " %d readings), b1+b2 running on h2 %d ms; p1, p2 stayed on h1; double runs 0%n",
                dev, sysfsMs, publishedMs, NIC_INTERVAL_MS, NIC_FAILURES, movedMs);
        h1.close();
        h2.close();
    }

    private Agent agent(String name, String nic, String connect, Path shared) throws Exception {
        AgentConfig config = AgentConfig.defaults(POOL, name, new HostCapacity(4096, 16), connect, shared,
                dir.resolve(name).resolve("sim")).withHealth(new HealthPolicy(
                List.of(new HealthPolicy.Nic(nic, List.of("biz"), HealthAction.NETWORKS, NIC_FAILURES, NIC_INTERVAL_MS)),
                List.of(), Optional.empty()));
        Agent agent = new Agent(config);
        open.add(agent);
        agent.start();
        return agent;
    }

    private static long hosts(PoolAdmin admin, Predicate<HostRecord> which) {
        try {
            return admin.status().members().stream().filter(which).count();
        } catch (Exception e) {
            return -1;
        }
    }

    private static long running(PoolAdmin admin, String host) {
        try {
            return admin.status().owners().stream().filter(o -> runsOn(o, host)).count();
        } catch (Exception e) {
            return -1;
        }
    }

    private static boolean runsOn(Ownership o, String host) {
        return o != null && o.state() == VmState.RUNNING && o.ownedBy(host);
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, long timeoutMs, Check check) throws Exception {
        awaitMs(what, System.nanoTime(), timeoutMs, check);
    }

    /** Milliseconds from {@code t0} until {@code check} holds; polls every 5 ms. */
    private static long awaitMs(String what, long t0, long timeoutMs, Check check) throws Exception {
        while (!check.holds()) {
            if (System.nanoTime() - t0 > timeoutMs * 1_000_000) fail("timed out after " + timeoutMs + " ms waiting for " + what);
            Thread.sleep(5);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void run(boolean mustSucceed, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int code = p.waitFor();
            if (code != 0 && mustSucceed) fail(String.join(" ", command) + " exited " + code + ": " + out);
        } catch (IOException e) {
            if (mustSucceed) fail(String.join(" ", command) + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted running " + String.join(" ", command));
        }
    }
}
