package io.vmha.core;

import io.vmha.core.port.GuestPing;
import io.vmha.core.port.LocalVm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The owner host's guest-heartbeat and probe decisions, on a hand-driven clock. */
class HostHealthTest {
    final List<String> log = new ArrayList<>();
    final HostHealth health = new HostHealth("h1", (source, message) -> log.add(source + ": " + message));

    static GuestHeartbeat guest(int failureS, int uptimeS, int maxResets) {
        return new GuestHeartbeat(true, Sensitivity.HIGH, failureS, uptimeS, maxResets, 600, 500);
    }

    static PoolView view(VmHealth health, VmState state) {
        SortedMap<String, VmSpec> vms = new TreeMap<>(Map.of("v1", VmSpec.sim("v1", 512).withHealth(health)));
        SortedMap<String, Versioned<Ownership>> owners = new TreeMap<>(Map.of("v1",
                new Versioned<>(new Ownership("v1", "h1", state, 4, List.of(), "i1", "test"), 7)));
        return new PoolView(new TreeMap<>(), vms, owners);
    }

    static SortedMap<String, LocalVm> local(String instance) {
        return new TreeMap<>(Map.of("v1", new LocalVm("v1", 4, instance, true, "")));
    }

    List<HostAction> step(PoolView view, long now, String instance, HealthResult... results) {
        return health.step(now, 1_000_000 + now, view, local(instance), List.of(results));
    }

    static HealthResult ping(GuestPing p, long at) { return new HealthResult.Guest("v1", "i1", p, at); }

    @Test
    void aSilentGuestIsResetOnceTheFailureIntervalPassesAfterItsLastAnswer() {
        PoolView v = view(new VmHealth(guest(3, 0, 3), List.of(), null), VmState.RUNNING);
        assertEquals(List.of(), step(v, 0, "i1"));
        assertEquals(List.of(), step(v, 1000, "i1", ping(GuestPing.OK, 1000)));
        assertEquals(List.of(), step(v, 3900, "i1", ping(GuestPing.NO_ANSWER, 1500), ping(GuestPing.NO_ANSWER, 3900)));
        List<HostAction> a = step(v, 4000, "i1", ping(GuestPing.NO_ANSWER, 4000));
        assertEquals(1, a.size());
        HostAction.Reset r = assertInstanceOf(HostAction.Reset.class, a.get(0));
        assertEquals("i1", r.instanceId());
        assertTrue(log.contains("h1: vm v1 guest-watch SILENT => RESETTING (no answer for 3000 ms (failure interval 3000 ms);"
                + " reset 1 of 3 in 600 s)"), log.toString());
    }

    @Test
    void silenceWithinTheMinimumUptimeDoesNotCount() {
        PoolView v = view(new VmHealth(guest(2, 10, 3), List.of(), null), VmState.RUNNING);
        step(v, 0, "i1");
        assertEquals(List.of(), step(v, 9_999, "i1", ping(GuestPing.NO_ANSWER, 9_999)));
        assertEquals(List.of(), step(v, 11_999, "i1", ping(GuestPing.NO_ANSWER, 11_999)));
        assertEquals(1, step(v, 12_000, "i1", ping(GuestPing.NO_ANSWER, 12_000)).size());
    }

    /** qemu's system_reset keeps the instance: the rebooting guest gets the minimum uptime again, not a second reset. */
    @Test
    void aResetThatKeepsTheInstanceStartsTheMinimumUptimeAfresh() {
        PoolView v = view(new VmHealth(guest(2, 10, 3), List.of(), null), VmState.RUNNING);
        step(v, 0, "i1");
        assertEquals(List.of(), step(v, 11_000, "i1", ping(GuestPing.OK, 11_000)));
        assertEquals(1, step(v, 13_000, "i1", ping(GuestPing.NO_ANSWER, 13_000)).size()); // reset at 13 s, same instance
        for (long t = 13_500; t < 25_000; t += 500) {
            assertEquals(List.of(), step(v, t, "i1", ping(GuestPing.NO_ANSWER, t)), "booting again at " + t);
        }
        assertEquals(1, step(v, 25_000, "i1", ping(GuestPing.NO_ANSWER, 25_000)).size()); // 10 s uptime + 2 s silence
    }

    @Test
    void aPanicResetsAtOnceEvenWhileBooting() {
        PoolView v = view(new VmHealth(guest(30, 60, 3), List.of(), null), VmState.RUNNING);
        step(v, 0, "i1");
        assertEquals(1, step(v, 100, "i1", ping(GuestPing.PANICKED, 100)).size());
    }

    @Test
    void aGuestWithoutAChannelIsNeverReset() {
        PoolView v = view(new VmHealth(guest(1, 0, 3), List.of(), null), VmState.RUNNING);
        step(v, 0, "i1");
        for (long t = 500; t < 60_000; t += 500) {
            assertEquals(List.of(), step(v, t, "i1", ping(GuestPing.NOT_MONITORED, t)));
        }
    }

    @Test
    void theBudgetStopsResetsAndRaisesAnAlarmUntilTheGuestAnswers() {
        PoolView v = view(new VmHealth(guest(1, 0, 2), List.of(), null), VmState.RUNNING);
        int resets = 0;
        String instance = "i1";
        for (long t = 0; t < 20_000; t += 500) {
            List<HostAction> a = health.step(t, t, v, local(instance),
                    List.of(new HealthResult.Guest("v1", instance, GuestPing.NO_ANSWER, t)));
            if (!a.isEmpty()) {
                resets++;
                instance = "i" + (resets + 1); // the reset starts a new instance
            }
        }
        assertEquals(2, resets);
        assertEquals(List.of("reset-limit:v1"), health.alarms());
        health.step(20_000, 20_000, v, local(instance), List.of(new HealthResult.Guest("v1", instance, GuestPing.OK, 20_000)));
        assertEquals(List.of(), health.alarms());
    }

    @Test
    void aLatePanicFromBeforeAResetDoesNotResetTheRebootedGuestAgain() {
        // qemu's system_reset keeps the instance: the guest then boots for longer than the failure interval.
        PoolView v = view(new VmHealth(guest(2, 10, 3), List.of(), null), VmState.RUNNING);
        step(v, 0, "i1");
        assertEquals(List.of(), step(v, 11_000, "i1", ping(GuestPing.OK, 11_000)));
        assertEquals(1, step(v, 13_000, "i1", ping(GuestPing.NO_ANSWER, 13_000)).size());
        // A late answer from before the reset, then a guest silent while it boots: no second reset.
        assertEquals(List.of(), step(v, 13_100, "i1", ping(GuestPing.PANICKED, 12_900)));
        for (long t = 13_500; t < 23_000; t += 500) {
            assertEquals(List.of(), step(v, t, "i1", ping(GuestPing.NO_ANSWER, t)), "reset again at " + t);
        }
        assertEquals(1, step(v, 25_000, "i1", ping(GuestPing.NO_ANSWER, 25_000)).size(), "min uptime + failure after the reset");
    }

    @Test
    void aProbeResetAlsoRestartsTheMinimumUptime() {
        HealthProbe p = new HealthProbe(HealthProbe.Kind.TCP, "10.0.0.5:80", 200, List.of(), 1, 1, 2, HealthProbe.Action.RESET);
        PoolView v = view(new VmHealth(guest(2, 10, 3), List.of(p), null), VmState.RUNNING);
        step(v, 0, "i1");
        step(v, 11_000, "i1", probe(false, 11_000));
        assertEquals(1, step(v, 12_000, "i1", probe(false, 12_000)).size());
        for (long t = 13_000; t < 22_000; t += 1000) {
            assertEquals(List.of(), step(v, t, "i1", probe(false, t), ping(GuestPing.NO_ANSWER, t)), "reset again at " + t);
        }
        assertEquals(List.of(), step(v, 22_000, "i1", probe(false, 22_000)));
        assertEquals(1, step(v, 23_000, "i1", probe(false, 23_000)).size(), "threshold counted afresh after the uptime");
    }

    @Test
    void resultsAboutAnOlderInstanceAreIgnored() {
        PoolView v = view(new VmHealth(guest(1, 0, 3), List.of(), null), VmState.RUNNING);
        step(v, 0, "i2");
        assertEquals(List.of(), step(v, 5000, "i2", ping(GuestPing.PANICKED, 5000))); // tagged i1: stale
    }

    @Test
    void nothingIsWatchedUnlessTheRecordSaysRunningHereAtTheInstancesEpoch() {
        VmHealth h = new VmHealth(guest(1, 0, 3), List.of(), null);
        step(view(h, VmState.STARTING), 0, "i1");
        assertTrue(health.targets().isEmpty());
        step(view(h, VmState.RUNNING), 0, "i1");
        assertEquals("i1", health.targets().get("v1").instanceId());
        health.clear();
        assertTrue(health.targets().isEmpty());
    }

    static HealthResult probe(boolean ok, long at) { return new HealthResult.Probe("v1", "i1", 0, ok, 3, ok ? "ok" : "refused", at); }

    @Test
    void aProbeFailingThresholdTimesInARowResets() {
        HealthProbe p = new HealthProbe(HealthProbe.Kind.TCP, "a:1", 200, List.of(), 1, 1, 3, HealthProbe.Action.RESET);
        PoolView v = view(new VmHealth(new GuestHeartbeat(false, Sensitivity.HIGH, null, 0, 3, 600, 1000), List.of(p), null),
                VmState.RUNNING);
        step(v, 0, "i1");
        assertEquals(List.of(), step(v, 2000, "i1", probe(false, 1000), probe(false, 2000)));
        assertEquals(List.of(), step(v, 3000, "i1", probe(true, 3000))); // a pass restarts the count
        assertEquals(List.of(), step(v, 5000, "i1", probe(false, 4000), probe(false, 5000)));
        assertInstanceOf(HostAction.Reset.class, step(v, 6000, "i1", probe(false, 6000)).get(0));
    }

    @Test
    void aRelocatingProbeReportsFailedWithARelocationRequestAtTheSameEpoch() {
        HealthProbe p = new HealthProbe(HealthProbe.Kind.HTTP, "http://a/", 200, List.of(), 1, 1, 1, HealthProbe.Action.RELOCATE);
        PoolView v = view(new VmHealth(new GuestHeartbeat(false, Sensitivity.HIGH, null, 0, 3, 600, 1000), List.of(p), null),
                VmState.RUNNING);
        step(v, 0, "i1");
        HostAction.Relocate r = assertInstanceOf(HostAction.Relocate.class, step(v, 1000, "i1", probe(false, 1000)).get(0));
        assertEquals(7, r.expectedVersion());
        assertEquals(VmState.FAILED, r.next().state());
        assertEquals(4, r.next().epoch());
        assertTrue(r.next().relocationRequested(), r.next().reason());
        assertEquals(1, r.next().failures().size());
    }

    /** Property, over seeded random ping sequences: never more than max-resets resets in any window. */
    @Test
    void resetsNeverExceedTheBudgetInAnyWindow() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            int max = random.nextInt(4);
            HostHealth h = new HostHealth("h1", (s, m) -> { });
            PoolView v = view(new VmHealth(new GuestHeartbeat(true, Sensitivity.HIGH, 1 + random.nextInt(3), random.nextInt(3),
                    max, 10 + random.nextInt(60), 500), List.of(), null), VmState.RUNNING);
            List<Long> resetTimes = new ArrayList<>();
            long window = v.vms().get("v1").health().guestHeartbeat().effectiveResetWindowMillis();
            String instance = "i0";
            for (long t = 0; t < 300_000; t += 500) {
                GuestPing p = GuestPing.values()[random.nextInt(100) < 70 ? 1 : random.nextInt(4)];
                if (!h.step(t, t, v, local(instance), List.of(new HealthResult.Guest("v1", instance, p, t))).isEmpty()) {
                    resetTimes.add(t);
                    instance = "i" + resetTimes.size();
                }
            }
            for (long t : resetTimes) {
                long inWindow = resetTimes.stream().filter(x -> x > t - window && x <= t).count();
                assertTrue(inWindow <= max, "seed " + seed + ": " + inWindow + " resets in a window, max " + max);
            }
        }
    }
}
