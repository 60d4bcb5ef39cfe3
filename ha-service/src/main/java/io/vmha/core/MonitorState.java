package io.vmha.core;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One host-health monitor's state. Failing and recovering both need the monitor's threshold of consecutive
 * readings, so a flapping link or a lost ping below the threshold changes nothing the pool sees.
 */
public enum MonitorState implements Described {
    UNKNOWN("no reading yet: a NIC in this state provides no network"),
    OK("the last readings were good"),
    SUSPECT("bad readings, fewer in a row than the threshold: nothing changes yet"),
    FAILED("bad for the threshold of readings in a row: the monitor's action applies"),
    RECOVERING("good readings after a failure, fewer in a row than the threshold: the action still applies");

    public static final Map<MonitorState, Set<MonitorState>> TRANSITIONS = Map.of(
            UNKNOWN, EnumSet.of(OK, SUSPECT, FAILED),
            OK, EnumSet.of(SUSPECT, FAILED),
            SUSPECT, EnumSet.of(OK, FAILED),
            FAILED, EnumSet.of(RECOVERING, OK),
            RECOVERING, EnumSet.of(FAILED, OK));

    private final String description;

    MonitorState(String description) { this.description = description; }

    @Override public String description() { return description; }

    /** True while the monitor's action applies. */
    public boolean failed() { return this == FAILED || this == RECOVERING; }
}
