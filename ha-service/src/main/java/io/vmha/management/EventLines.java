package io.vmha.management;

import io.vmha.coordination.PoolEvent;
import java.time.Instant;

/** One audit-log event as a line: the same text {@code vmha events} prints and JMX returns. */
public final class EventLines {
    private EventLines() {}

    public static String line(PoolEvent e) {
        return Instant.ofEpochMilli(e.wallMillis()) + "  " + EventTypes.of(e.message()).substring(5) + "  " + e.source()
                + ": " + e.message();
    }
}
