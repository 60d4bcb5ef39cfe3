package io.vmha.hypervisor.sim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.vmha.hypervisor.sim.SimTestSupport.scaled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The VM loop alone, with a stand-in "daemon": a host crash takes its VMs with it. */
class SimVmScriptTest {
    @TempDir
    Path tmp;

    @AfterEach
    void cleanUp() {
        SimTestSupport.killDescendantsMentioning(tmp.toString());
    }

    @Test
    void vmExitsSoonAfterItsDaemonIsGone() throws Exception {
        Process daemon = new ProcessBuilder("sleep", "30").start();
        Path disk = tmp.resolve("vm1.disk");
        Process vm = SimVmProcess.spawn(disk, "h9.e1.1", daemon.pid());
        try {
            while (SimTestSupport.linesOf(disk, "h9.e1.1") == 0) Thread.sleep(5);
            Thread.sleep(250);
            assertTrue(vm.isAlive());
            long t0 = System.nanoTime();
            daemon.destroyForcibly();
            assertTrue(vm.waitFor(2, TimeUnit.SECONDS), "VM outlived its daemon");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("sim: VM exited %d ms after its daemon died%n", millis);
            assertEquals(0, vm.exitValue());
            assertTrue(millis < scaled(300), "VM exited " + millis + " ms after its daemon");
        } finally {
            daemon.destroyForcibly();
            vm.destroyForcibly();
        }
    }
}
