package io.vmha.checker;

import io.vmha.core.VmSpec;
import io.vmha.hypervisor.sim.SimHypervisor;
import io.vmha.hypervisor.sim.SimTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real sim VMs on two hosts sharing one disk directory. */
class DoubleRunCheckerSimTest {
    @TempDir
    Path tmp;
    final List<SimHypervisor> hosts = new ArrayList<>();
    final SimTestSupport.RecordingJournal journal = new SimTestSupport.RecordingJournal();

    @AfterEach
    void cleanUp() {
        hosts.forEach(SimHypervisor::close);
        SimTestSupport.killDescendantsMentioning(tmp.toString());
    }

    SimHypervisor host(String name) {
        SimHypervisor h = new SimHypervisor(name, tmp.resolve("shared"), tmp.resolve("state-" + name), journal, () -> { });
        hosts.add(h);
        return h;
    }

    @Test
    void bothHostsRunningOneVmIsADoubleRun() throws Exception {
        SimHypervisor h1 = host("h1");
        SimHypervisor h2 = host("h2");
        String a = h1.start(VmSpec.sim("vm1", 512), 1).instanceId();
        String b = h2.start(VmSpec.sim("vm1", 512), 2).instanceId();
        Thread.sleep(500);
        h1.stop("vm1", "test");
        h2.stop("vm1", "test");
        DoubleRunChecker.Result r = DoubleRunChecker.check(tmp.resolve("shared/disks"));
        assertEquals(1, r.doubleRuns().size(), DoubleRunChecker.describe(r));
        DoubleRunChecker.DoubleRun d = r.doubleRuns().get(0);
        assertEquals(List.of("vm1", a, b), List.of(d.vm(), d.instanceA(), d.instanceB()));
        assertTrue(d.overlapMicros() > 300_000, DoubleRunChecker.describe(r));
        assertEquals(0, r.totalMalformedLines());
    }

    @Test
    void stopThenStartElsewhereIsNoDoubleRun() throws Exception {
        SimHypervisor h1 = host("h1");
        SimHypervisor h2 = host("h2");
        h1.start(VmSpec.sim("vm1", 512), 1);
        Thread.sleep(300);
        h1.stop("vm1", "move");
        long handover = System.currentTimeMillis() * 1000;
        String b = h2.start(VmSpec.sim("vm1", 512), 2).instanceId();
        Thread.sleep(300);
        h2.stop("vm1", "test");
        DoubleRunChecker.Result r = DoubleRunChecker.check(tmp.resolve("shared/disks"));
        assertTrue(r.clean(), DoubleRunChecker.describe(r));
        assertEquals(2, r.spansByVm().get("vm1").size());
        assertEquals(b, r.spansByVm().get("vm1").get(1).instance());
        long recovery = r.firstWriteOfInstanceStartedAfter("vm1", handover).orElseThrow() - handover;
        assertTrue(recovery >= 0 && recovery < 200_000, "recovery " + recovery + " us");
    }
}
