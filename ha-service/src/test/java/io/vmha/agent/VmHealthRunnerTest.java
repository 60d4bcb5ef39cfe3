package io.vmha.agent;

import io.vmha.core.GuestHeartbeat;
import io.vmha.core.HealthProbe;
import io.vmha.core.HealthTarget;
import io.vmha.core.HostAction;
import io.vmha.core.HostHealth;
import io.vmha.core.Ownership;
import io.vmha.core.PoolView;
import io.vmha.core.Sensitivity;
import io.vmha.core.Versioned;
import io.vmha.core.VmHealth;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.LocalVm;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner with real probes and the core's decisions, stepped like the agent loop (on each wakeup, else every
 * 500 ms): from the fault to the action. Prints the measured latency; asserts only a generous bound.
 */
class VmHealthRunnerTest {
    private final SystemClock clock = new SystemClock();
    private final AtomicReference<GuestPing> guest = new AtomicReference<>(GuestPing.OK);
    private final AtomicInteger pings = new AtomicInteger();

    /** A hypervisor with one running instance whose guest answers {@link #guest}. */
    private final Hypervisor hypervisor = new Hypervisor() {
        @Override public SortedMap<String, LocalVm> instances() { return local(); }
        @Override public LocalVm start(VmSpec spec, long epoch) { throw new UnsupportedOperationException(); }
        @Override public void stop(String vm, String reason) { }
        @Override public void acknowledgeExit(String vm) { }
        @Override public void reset(String vm, String reason) { }
        @Override public GuestPing pingGuest(String vm, long timeoutMillis) {
            pings.incrementAndGet();
            return guest.get();
        }
        @Override public String processMarker() { return "test"; }
        @Override public List<Long> runningPids() { return List.of(); }
    };

    static SortedMap<String, LocalVm> local() { return new TreeMap<>(Map.of("v1", new LocalVm("v1", 2, "i1", true, ""))); }

    static PoolView view(VmHealth health) {
        return new PoolView(new TreeMap<>(), new TreeMap<>(Map.of("v1", VmSpec.sim("v1", 512).withHealth(health))),
                new TreeMap<>(Map.of("v1", new Versioned<>(new Ownership("v1", "h1", VmState.RUNNING, 2, List.of(), "i1", ""), 1))));
    }

    /** Steps until an action comes or {@code limitMillis} pass; returns it with the time it took from {@code from}. */
    private HostAction loopUntilAction(VmHealthRunner runner, Semaphore wakeups, HostHealth health, PoolView view,
                                       Runnable fault, long limitMillis) throws InterruptedException {
        health.step(clock.monotonicMillis(), clock.wallMillis(), view, local(), runner.drain());
        runner.watch(health.targets());
        Thread.sleep(1500); // healthy for a while first
        long from = clock.monotonicMillis();
        fault.run();
        while (clock.monotonicMillis() - from < limitMillis) {
            wakeups.tryAcquire(500, TimeUnit.MILLISECONDS);
            List<HostAction> actions = health.step(clock.monotonicMillis(), clock.wallMillis(), view, local(), runner.drain());
            runner.watch(health.targets());
            if (!actions.isEmpty()) {
                System.out.println("[vmha-measure] " + actions.get(0).getClass().getSimpleName() + " "
                        + (clock.monotonicMillis() - from) + " ms after the fault: " + actions.get(0));
                return actions.get(0);
            }
        }
        throw new AssertionError("no action within " + limitMillis + " ms");
    }

    @Test
    void aTcpProbeFailingTwiceResetsTheGuest() throws Exception {
        Semaphore wakeups = new Semaphore(0);
        ServerSocket app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        HealthProbe probe = new HealthProbe(HealthProbe.Kind.TCP, "127.0.0.1:" + app.getLocalPort(), 200, List.of(), 1, 1, 2,
                HealthProbe.Action.RESET);
        VmHealth health = new VmHealth(new GuestHeartbeat(false, Sensitivity.HIGH, null, 0, 3, 600, 1000), List.of(probe), null);
        try (VmHealthRunner runner = new VmHealthRunner("h1", hypervisor, clock, wakeups::release)) {
            HostAction a = loopUntilAction(runner, wakeups, new HostHealth("h1", (s, m) -> { }), view(health), () -> {
                try {
                    app.close();
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }, 15_000);
            HostAction.Reset reset = assertInstanceOf(HostAction.Reset.class, a);
            assertTrue(reset.why().contains("failed 2 times in a row"), reset.why());
        } finally {
            app.close();
        }
    }

    @Test
    void aHungGuestIsResetAfterItsFailureInterval() throws Exception {
        Semaphore wakeups = new Semaphore(0);
        VmHealth health = new VmHealth(new GuestHeartbeat(true, Sensitivity.HIGH, 2, 0, 3, 600, 250), List.of(), null);
        try (VmHealthRunner runner = new VmHealthRunner("h1", hypervisor, clock, wakeups::release)) {
            HostAction a = loopUntilAction(runner, wakeups, new HostHealth("h1", (s, m) -> { }), view(health),
                    () -> guest.set(GuestPing.NO_ANSWER), 15_000);
            assertInstanceOf(HostAction.Reset.class, a);
            assertTrue(pings.get() >= 5, "pings: " + pings.get());
        }
    }

    @Test
    void watchStopsTheChecksOfDroppedInstances() throws Exception {
        VmHealth health = new VmHealth(new GuestHeartbeat(true, Sensitivity.HIGH, 2, 0, 3, 600, 100), List.of(), null);
        try (VmHealthRunner runner = new VmHealthRunner("h1", hypervisor, clock, () -> { })) {
            runner.watch(new TreeMap<>(Map.of("v1", new HealthTarget("v1", "i1", health))));
            Thread.sleep(500);
            runner.watch(new TreeMap<>());
            Thread.sleep(150); // a ping in flight may still finish
            int after = pings.get();
            Thread.sleep(500);
            assertEquals(after, pings.get());
            assertTrue(after > 0);
        }
    }
}
