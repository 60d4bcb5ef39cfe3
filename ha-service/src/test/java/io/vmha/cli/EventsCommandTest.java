package io.vmha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class EventsCommandTest {
    @Test void sinceAcceptsDurationsTimesAndMillis() {
        long now = 10_000_000_000L;
        assertEquals(now - 30_000, EventsCommand.parseSince("30s", now));
        assertEquals(now - 600_000, EventsCommand.parseSince("10m", now));
        assertEquals(now - 7_200_000, EventsCommand.parseSince("2h", now));
        assertEquals(now - 86_400_000L, EventsCommand.parseSince("1d", now));
        assertEquals(1_700_000_000_000L, EventsCommand.parseSince("1700000000000", now));
        assertEquals(java.time.Instant.parse("2026-11-21T10:00:00Z").toEpochMilli(), EventsCommand.parseSince("2026-11-21T10:00:00Z", now));
    }

    @Test void badSinceNamesTheOptionAndTheValue() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> EventsCommand.parseSince("yesterday", 0));
        assertTrue(e.getMessage().contains("--since") && e.getMessage().contains("yesterday"), e.getMessage());
    }
}
