package io.vmha.hypervisor.sim;

import io.vmha.core.VmSpec;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.LocalVm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.vmha.hypervisor.sim.SimTestSupport.scaled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimHypervisorTest {
    @TempDir
    Path tmp;
    Path shared;
    Path state;
    final SimTestSupport.RecordingJournal journal = new SimTestSupport.RecordingJournal();
    /** One element per onChange call: its System.nanoTime(). */
    final LinkedBlockingQueue<Long> changes = new LinkedBlockingQueue<>();
    final List<SimHypervisor> hypervisors = new ArrayList<>();

    @BeforeEach
    void dirs() {
        shared = tmp.resolve("shared");
        state = tmp.resolve("state-h1");
    }

    @AfterEach
    void cleanUp() {
        hypervisors.forEach(SimHypervisor::close);
        SimTestSupport.killDescendantsMentioning(tmp.toString());
    }

    SimHypervisor hypervisor() {
        SimHypervisor h = new SimHypervisor("h1", shared, state, journal, () -> changes.add(System.nanoTime()));
        hypervisors.add(h);
        return h;
    }

    static long pidOf(Path stateDir, String vm) throws Exception {
        return StateFile.read(StateFile.path(stateDir, vm)).pid();
    }

    @Test
    void firstLineAtOnceThenTenPerSecond() throws Exception {
        SimHypervisor h = hypervisor();
        Path disk = SimHypervisor.diskFile(shared, "vm1");
        long requestedMicros = nowMicros();
        long t0 = System.nanoTime();
        LocalVm vm = h.start(VmSpec.sim("vm1", 512), 4);
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // Measured from start() returning: the first call in a JVM also pays class loading and the first
        // spawn (~230 ms cold), which says nothing about whether the VM writes before its first sleep.
        long startedMicros = nowMicros();
        while (SimTestSupport.linesOf(disk, vm.instanceId()) == 0) {
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(scaled(1_000)), "no first line in 1 s");
            Thread.sleep(2);
        }
        Thread.sleep(2_000);
        long[] stamps = Files.readAllLines(disk).stream().filter(l -> l.startsWith(vm.instanceId() + " "))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1))).toArray();
        long firstLineMillis = (stamps[0] - requestedMicros) / 1000;
        double perSecond = (stamps.length - 1) / ((stamps[stamps.length - 1] - stamps[0]) / 1e6);
        System.out.printf("sim: start() returned in %d ms, first line %d ms after the request, %.2f lines/s over %d lines%n",
                startMillis, firstLineMillis, perSecond, stamps.length);
        long afterStartMillis = (stamps[0] - startedMicros) / 1000;
        assertTrue(afterStartMillis < scaled(300), "first line " + afterStartMillis + " ms after start() returned");
        assertTrue(stamps.length >= 20, "only " + stamps.length + " lines");
        assertTrue(perSecond > 9.5 && perSecond < 10.5, "lines per second: " + perSecond);
        assertTrue(vm.instanceId().startsWith("h1.e4.") && !vm.instanceId().contains(" "), vm.instanceId());
        assertEquals(vm, h.instances().get("vm1"));
        assertTrue(journal.lines.contains("h1: vm vm1 started instance " + vm.instanceId() + " (pid " + pidOf(state, "vm1") + ")"),
                journal.lines.toString());
    }

    @Test
    void killMinusNineIsDetectedAtOnce() throws Exception {
        SimHypervisor h = hypervisor();
        long worst = 0;
        for (int round = 0; round < 5; round++) {
            String name = "vm" + round;
            h.start(VmSpec.sim(name, 512), 1);
            Thread.sleep(150);
            ProcessHandle vm = ProcessHandle.of(pidOf(state, name)).orElseThrow();
            long t0 = System.nanoTime();
            vm.destroyForcibly(); // SIGKILL
            Long seen = changes.poll(2, TimeUnit.SECONDS);
            assertNotNull(seen, "exit of " + name + " not reported");
            long latencyMillis = TimeUnit.NANOSECONDS.toMillis(seen - t0);
            worst = Math.max(worst, latencyMillis);
            LocalVm after = h.instances().get(name);
            assertFalse(after.running());
            assertTrue(after.exitDetail().contains("SIGKILL") && after.exitDetail().contains("137"), after.exitDetail());
            assertFalse(Files.exists(StateFile.path(state, name)), "state file of an exited instance");
            h.acknowledgeExit(name);
            assertFalse(h.instances().containsKey(name));
        }
        System.out.printf("sim: kill -9 detection latency, worst of 5: %d ms%n", worst);
        assertTrue(worst < scaled(300), "detection took " + worst + " ms");
        assertTrue(journal.lines.stream().anyMatch(l -> l.startsWith("h1: vm vm0 exited: killed by SIGKILL")),
                journal.lines.toString());
    }

    @Test
    void stopKillsAndForgets() throws Exception {
        SimHypervisor h = hypervisor();
        h.start(VmSpec.sim("vm1", 512), 1);
        ProcessHandle vm = ProcessHandle.of(pidOf(state, "vm1")).orElseThrow();
        h.stop("vm1", "test");
        assertFalse(vm.isAlive());
        assertTrue(h.instances().isEmpty());
        assertFalse(Files.exists(StateFile.path(state, "vm1")));
        h.stop("vm1", "again"); // idempotent
        Thread.sleep(100);
        assertTrue(changes.isEmpty(), "a requested stop is not an unexpected exit");
        assertTrue(journal.lines.stream().anyMatch(l -> l.matches("h1: vm vm1 stopped instance .* \\(pid \\d+\\): test")),
                journal.lines.toString());
    }

    @Test
    void secondStartOfARunningVmIsRefused() throws Exception {
        SimHypervisor h = hypervisor();
        LocalVm first = h.start(VmSpec.sim("vm7", 512), 1);
        HypervisorException e = assertThrows(HypervisorException.class, () -> h.start(VmSpec.sim("vm7", 512), 2));
        assertTrue(e.getMessage().contains("vm7"), e.getMessage());
        assertEquals(first, h.instances().get("vm7"));
    }

    @Test
    void thirtyVmsCostLittleCpu() throws Exception {
        SimHypervisor h = hypervisor();
        int n = 30;
        for (int i = 0; i < n; i++) h.start(VmSpec.sim("vm" + i, 512), 1);
        Thread.sleep(500); // past bash start-up
        long[] pids = new long[n];
        long before = 0;
        for (int i = 0; i < n; i++) {
            pids[i] = pidOf(state, "vm" + i);
            before += SimTestSupport.cpuTicks(pids[i]);
        }
        Thread.sleep(3_000);
        long after = 0;
        for (long pid : pids) after += SimTestSupport.cpuTicks(pid);
        long clkTck = clockTicksPerSecond();
        double cpuSeconds = (after - before) / (double) clkTck;
        System.out.printf("sim: 30 VMs used %.2f CPU-seconds over 3 s%n", cpuSeconds);
        assertEquals(n, h.instances().values().stream().filter(LocalVm::running).count());
        assertTrue(cpuSeconds < 1.0, "30 VMs used " + cpuSeconds + " CPU-s in 3 s");
    }

    @Test
    void aNewDriverAdoptsRunningInstancesAndDropsStaleStateFiles() throws Exception {
        SimHypervisor first = hypervisor();
        LocalVm vm = first.start(VmSpec.sim("vm1", 512), 3);
        long pid = pidOf(state, "vm1");
        first.close();
        first.close(); // idempotent, and VMs keep running
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        new StateFile(999_999_999L, 1, "h1.e1.123").write(state, "ghost");

        SimHypervisor second = hypervisor();
        assertEquals(List.of("vm1"), List.copyOf(second.instances().keySet()));
        assertEquals(vm, second.instances().get("vm1"));
        assertFalse(Files.exists(StateFile.path(state, "ghost")));

        long t0 = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Long seen = changes.poll(2, TimeUnit.SECONDS);
        assertNotNull(seen, "exit of an adopted instance not reported");
        System.out.printf("sim: adopted-instance exit detected in %d ms%n", TimeUnit.NANOSECONDS.toMillis(seen - t0));
        assertFalse(second.instances().get("vm1").running());
    }

    private static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static long clockTicksPerSecond() throws Exception {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return out.isEmpty() ? 100 : Long.parseLong(out);
    }
}
