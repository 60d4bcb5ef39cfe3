package io.vmha.hypervisor.libvirt;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Answers of {@code virsh domstate --reason} captured from libvirt 9.0 (they end with a blank line). */
class DomainStateTest {
    private static DomainState parse(String out) { return DomainState.parse(out).orElseThrow(); }

    @Test
    void capturedAnswers() {
        DomainState booted = parse("running (booted)\n\n");
        assertEquals(new DomainState("running", "booted"), booted);
        assertTrue(booted.active());
        assertFalse(booted.panicked());

        DomainState killed = parse("shut off (crashed)\n\n"); // after kill -9 of the qemu process
        assertFalse(killed.active());
        assertFalse(killed.panicked());
        assertEquals("shut off (crashed)", killed.toString());

        assertFalse(parse("shut off (destroyed)\n\n").active());

        DomainState panicked = parse("crashed (panicked)\n\n"); // pvpanic with on_crash=preserve
        assertTrue(panicked.active());
        assertTrue(panicked.panicked());

        DomainState resetAfterPanic = parse("paused (crashed)\n\n"); // virsh reset of the panicked domain
        assertTrue(resetAfterPanic.active());
        assertTrue(resetAfterPanic.panicked());

        DomainState paused = parse("paused (user)\n\n");
        assertTrue(paused.active());
        assertFalse(paused.panicked());
        assertTrue(parse("running (unpaused)\n").active());
    }

    @Test
    void stateWithoutReasonAndMultiWordStates() {
        assertEquals(new DomainState("running", ""), parse("running\n"));
        assertEquals(new DomainState("in shutdown", "user"), parse("in shutdown (user)"));
        assertEquals(new DomainState("shut off", ""), parse("\nshut off\n"));
        assertEquals(new DomainState("no state", ""), parse("no state"));
    }

    @Test
    void malformedAnswersAreEmpty() {
        for (String bad : new String[] {null, "", "\n\n", "error: failed to get domain 'x'", "running (booted",
                "Running (booted)", "42", "running (a (b))", "(booted)"}) {
            assertEquals(Optional.empty(), DomainState.parse(bad), String.valueOf(bad));
        }
    }
}
