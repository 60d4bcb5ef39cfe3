package io.vmha.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vmha.core.RestartPolicy.Decision.GIVE_UP;
import static io.vmha.core.RestartPolicy.Decision.RELOCATE;
import static io.vmha.core.RestartPolicy.Decision.RESTART_IN_PLACE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RestartPolicyTest {
    private final RestartPolicy policy = new RestartPolicy(2, 60_000, 1);

    @Test
    void restartsInPlaceThenRelocatesThenGivesUp() {
        assertEquals(RESTART_IN_PLACE, policy.decide(List.of(1L)));
        assertEquals(RESTART_IN_PLACE, policy.decide(List.of(1L, 2L)));
        assertEquals(RELOCATE, policy.decide(List.of(1L, 2L, 3L)));
        assertEquals(GIVE_UP, policy.decide(List.of(1L, 2L, 3L, 4L)));
    }

    @Test
    void crashesOlderThanTheWindowAreForgotten() {
        long now = 1_000_000;
        List<Long> recent = policy.recent(List.of(now - 90_000, now - 60_000, now - 59_999, now), now);
        assertEquals(List.of(now - 59_999, now), recent);
        assertEquals(RESTART_IN_PLACE, policy.decide(recent));
    }

    @Test
    void zeroRestartsRelocatesAtOnce() {
        assertEquals(RELOCATE, new RestartPolicy(0, 60_000, 1).decide(List.of(1L)));
    }

    @Test
    void badSettingsNameTheirField() {
        assertEquals("restart.window-seconds",
                assertThrows(InvalidInputException.class, () -> new RestartPolicy(3, 5_000, 2)).field());
        assertEquals("restart.max-restarts",
                assertThrows(InvalidInputException.class, () -> new RestartPolicy(-1, 60_000, 2)).field());
    }
}
