package io.vmha.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timings, VM specs and names reject bad input naming the field, the value and what is accepted. */
class ValidationTest {
    @Test
    void defaultTimingsDeriveTheLease() {
        Timings t = Timings.defaults();
        assertEquals(5000, t.fenceAfterMillis());
        assertEquals(1000, t.leaseProbeMillis());
        assertEquals(500, t.masterGraceMillis());
    }

    @Test
    void anUnsafeTimingCombinationIsRejectedNamingTheField() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new Timings(6000, 3000, 2500));
        assertEquals("fencing.stop-deadline-ms", e.field());
        assertEquals("3000", e.value());
        assertTrue(e.getMessage().contains("lease would be too short"), e.getMessage());
        assertEquals("zookeeper.session-timeout-ms",
                assertThrows(InvalidInputException.class, () -> new Timings(500, 100, 0)).field());
        assertEquals("fencing.safety-margin-ms",
                assertThrows(InvalidInputException.class, () -> new Timings(6000, 500, -1)).field());
    }

    @Test
    void negativeMemoryIsRejected() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> VmSpec.sim("v1", -1));
        assertEquals("vm.memory-mib", e.field());
        assertEquals("-1", e.value());
        assertTrue(e.getMessage().startsWith("vm.memory-mib: -1 is not accepted; expected 1 to"), e.getMessage());
    }

    @Test
    void namesWithSlashOrSpaceAreRejected() {
        for (String bad : List.of("a/b", "a b", "", "-x")) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> VmSpec.sim(bad, 1024), bad);
            assertEquals("vm.name", e.field());
            assertEquals(bad, e.value());
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
        assertEquals("host.name", assertThrows(InvalidInputException.class,
                () -> new HostRecord("h 1", new HostCapacity(1024, 1), 1, HostState.JOINING)).field());
        assertEquals("vm.preferred-hosts", assertThrows(InvalidInputException.class,
                () -> new VmSpec("v", 1024, 1, "sim", Map.of(), true, List.of("../h1"))).field());
        assertEquals("vm.driver", assertThrows(InvalidInputException.class,
                () -> new VmSpec("v", 1024, 1, "xen", Map.of(), true, List.of())).field());
    }
}
