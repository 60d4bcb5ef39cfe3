package io.vmha.cli;

import io.vmha.demo.JarRunner;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input through the real CLI: a clear error naming field, value and what is accepted; nothing changes. */
class CliBadInputIT {
    static TestingServer zk;

    @BeforeAll static void startZooKeeper() throws Exception { zk = new TestingServer(true); }

    @AfterAll static void stopZooKeeper() throws Exception { zk.close(); }

    private static JarRunner.Result vmha(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[] {"--zk", zk.getConnectString(), "--pool", "clitest"}, 0, all, args.length, 4);
        return JarRunner.run(60, all);
    }

    private static void assertRejected(JarRunner.Result r, String... fragments) {
        assertEquals(2, r.exit(), r.output());
        for (String f : fragments) assertTrue(r.output().contains(f), "missing '" + f + "' in:\n" + r.output());
    }

    @Test void badVmsAreRefusedAndChangeNothing() throws Exception {
        assertRejected(vmha("vm", "add", "bad name", "--memory-mib", "512"), "vm.name", "\"bad name\"", "letters, digits");
        assertRejected(vmha("vm", "add", "a/b", "--memory-mib", "512"), "vm.name", "\"a/b\"");
        assertRejected(vmha("vm", "add", "web1", "--memory-mib", "-5"), "vm.memory-mib", "-5", "1 to");
        assertEquals(0, vmha("vm", "add", "web1", "--memory-mib", "512").exit());
        assertRejected(vmha("vm", "add", "web1", "--memory-mib", "1024"), "vm.name", "web1", "not already registered");
        JarRunner.Result list = vmha("vm", "list", "--json");
        assertEquals(0, list.exit(), list.output());
        assertTrue(list.output().contains("\"web1\"") && list.output().contains("\"memoryMib\" : 512"), list.output());
        assertTrue(!list.output().contains("bad name") && !list.output().contains("a/b"), list.output());
        assertRejected(vmha("vm", "remove", "nosuchvm"), "nosuchvm");
    }

    @Test void vmSpecFilesAreReadAndTheirMistakesRefused(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        java.nio.file.Files.writeString(bad, "name: api\nmemory-mib: 256\nhealth:\n  probes:\n    - tcp: 10.0.0.5:80\n"
                + "      interval-seconds: 2\n      timeout-seconds: 5\n");
        assertRejected(vmha("vm", "add", "--spec", bad.toString()), bad.toString(), "vm.health.probes[0].timeout-seconds",
                "5", "interval-seconds (2)");
        Path good = tmp.resolve("api.yaml");
        java.nio.file.Files.writeString(good, "name: api\nmemory-mib: 256\nhealth:\n  guest-heartbeat: {sensitivity: high}\n");
        JarRunner.Result added = vmha("vm", "add", "--spec", good.toString(), "--vcpus", "2");
        assertEquals(0, added.exit(), added.output());
        JarRunner.Result list = vmha("vm", "list", "--json");
        assertTrue(list.output().contains("\"sensitivity\" : \"HIGH\"") && list.output().contains("\"vcpus\" : 2"), list.output());
    }

    @Test void badConfigIsRefusedBeforeAnythingStarts(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("vmha.yaml");
        Files.writeString(cfg, String.join("\n", "pool: p1", "host:", "  name: h1", "  capacity:",
                "    memory-mib: 1024", "    vcpus: 2", "    colour: blue", "zookeeper:", "  connect: 127.0.0.1:2181",
                "hypervisor:", "  sim:", "    shared-dir: " + tmp, ""));
        assertRejected(JarRunner.run(30, "agent", "--config", cfg.toString()), cfg.toString(), "host.capacity.colour",
                "memory-mib");
        Files.writeString(cfg, Files.readString(cfg).replace("    colour: blue\n", "").replace("1024", "-1024"));
        assertRejected(JarRunner.run(30, "agent", "--config", cfg.toString()), "host.capacity.memory-mib", "-1024");
    }

    @Test void unreachableZooKeeperIsExitThree() throws Exception {
        JarRunner.Result r = JarRunner.run(30, "status", "--zk", "127.0.0.1:1", "--connect-timeout", "1");
        assertEquals(3, r.exit(), r.output());
        assertTrue(r.output().contains("cannot reach ZooKeeper at 127.0.0.1:1"), r.output());
    }
}
