package io.vmha.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-VM restart policy, backoff, and the health spec's validation messages. */
class RestartOverrideTest {
    @Test
    void theFirstRetryIsImmediateThenTheWaitDoublesUpToTheCap() {
        RestartOverride r = new RestartOverride(3, 600, 2, 5, 30);
        assertEquals(0, r.backoffMillis(1));
        assertEquals(5000, r.backoffMillis(2));
        assertEquals(10_000, r.backoffMillis(3));
        assertEquals(20_000, r.backoffMillis(4));
        assertEquals(30_000, r.backoffMillis(5));
        assertEquals(30_000, r.backoffMillis(60));
        assertEquals(0, new RestartOverride(3, 600, 2, 0, 0).backoffMillis(5));
        assertEquals(0, VmHealth.DEFAULT.backoffMillis(5));
    }

    @Test
    void masterRelocatesOnARequestAndWaitsOutTheBackoff() {
        List<String> journal = new java.util.ArrayList<>();
        MasterLogic master = new MasterLogic(Timings.defaults(), RestartPolicy.defaults(), (s, m) -> journal.add(m));
        VmHealth h = new VmHealth(null, List.of(), new RestartOverride(3, 600, 2, 4, 8));
        Pools pools = new Pools().host("h1", 8192, 8).host("h2", 8192, 8);
        pools.vms.put("v1", VmSpec.sim("v1", 512).withHealth(h));
        long wall = 1_000_000;
        Ownership failedTwice = new Ownership("v1", "h1", VmState.FAILED, 3, List.of(wall - 5000, wall - 10), "", "exited");
        pools.owners.put("v1", new Versioned<>(failedTwice, 1));
        assertEquals(List.of(), master.plan(pools.view(), 0, wall));
        assertTrue(journal.contains("vm v1 restart backoff: retry in 4000 ms (2 crashes in 600 s)"), journal.toString());
        assertEquals(List.of(), master.plan(pools.view(), 3999, wall));
        MasterAction.WriteOwner w = (MasterAction.WriteOwner) master.plan(pools.view(), 4000, wall).get(0);
        assertEquals("h1", w.next().host()); // in place: 2 crashes, 3 allowed

        Ownership relocate = new Ownership("v1", "h1", VmState.FAILED, 3, List.of(wall - 10), "",
                Ownership.RELOCATION_REQUESTED + "probe[0] failed");
        pools.owners.put("v1", new Versioned<>(relocate, 1));
        MasterAction.WriteOwner moved = (MasterAction.WriteOwner) new MasterLogic(Timings.defaults(), RestartPolicy.defaults(),
                (s, m) -> { }).plan(pools.view(), 0, wall).get(0);
        assertEquals("h2", moved.next().host());
        assertEquals(4, moved.next().epoch());
    }

    @Test
    void badHealthValuesNameTheirField() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new VmHealth(null, List.of(
                HealthProbe.tcp("a:1", HealthProbe.Action.RESET),
                new HealthProbe(HealthProbe.Kind.TCP, "a:1", 200, List.of(), 5, 9, 3, HealthProbe.Action.RESET)), null));
        assertEquals("vm.health.probes[1].timeout-seconds", e.field());
        assertEquals("9", e.value());
        assertTrue(e.accepted().contains("interval-seconds (5)"), e.getMessage());
        assertEquals("vm.health.probes[0].tcp", assertThrows(InvalidInputException.class, () -> new VmHealth(null,
                List.of(HealthProbe.tcp("nohost", HealthProbe.Action.RESET)), null)).field());
        assertEquals("vm.health.guest-heartbeat.ping-interval-ms", assertThrows(InvalidInputException.class,
                () -> new GuestHeartbeat(true, Sensitivity.HIGH, 1, null, null, null, 600)).field());
        assertEquals("vm.health.restart.backoff-max-seconds", assertThrows(InvalidInputException.class,
                () -> new RestartOverride(3, 600, 2, 10, 5)).field());
        assertEquals("vm.health.probes[0].exec", assertThrows(InvalidInputException.class, () -> new VmHealth(null,
                List.of(new HealthProbe(HealthProbe.Kind.EXEC, "", 200, List.of("relative"), 5, 2, 3, HealthProbe.Action.RESET)),
                null)).field());
    }
}
