package io.vmha.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnershipTest {
    private final Ownership running = Ownership.first("v1", "h1", "new").running("i1", "up");

    @Test
    void everyReassignBumpsTheEpoch() {
        Ownership moved = running.reassign("h2", VmState.STARTING, List.of(), "host lost");
        assertEquals(2, moved.epoch());
        assertEquals("h2", moved.host());
        assertEquals("", moved.instance());
        Ownership pending = moved.reassign("", VmState.PENDING, List.of(), "no room");
        assertEquals(3, pending.epoch());
    }

    @Test
    void theOwnersOwnTransitionsKeepTheEpoch() {
        Ownership failed = running.failed(123L, "exited");
        assertEquals(1, failed.epoch());
        assertEquals(List.of(123L), failed.failures());
        assertEquals(1, running.withState(VmState.STOPPING, "removed").epoch());
        assertEquals(List.of(), running.failed(null, "lost with its host").failures());
    }

    @Test
    void illegalTransitionsThrowNamingBothStates() {
        Ownership stopped = running.withState(VmState.STOPPED, "stopped");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stopped.running("i2", "?"));
        assertTrue(e.getMessage().contains("STOPPED => RUNNING"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> stopped.withState(VmState.FAILED, "?"));
        Ownership error = running.failed(1L, "x").withState(VmState.ERROR, "gave up");
        assertThrows(IllegalStateException.class, () -> error.withState(VmState.RUNNING, "?"));
    }
}
