package io.vmha.core;

import java.util.Locale;

/** What a failed host-health monitor does to the host's standing in the pool. */
public enum HealthAction implements Described {
    NETWORKS("the NIC's logical networks are lost: only the VMs needing them move"),
    DEGRADE("the host is marked degraded: it gets new VMs only when no healthy host fits"),
    EVACUATE("the host is evacuated: all its VMs move, one by one, and it gets none");

    private final String description;

    HealthAction(String description) { this.description = description; }

    @Override public String description() { return description; }

    /** The config spelling: {@code networks}, {@code degrade}, {@code evacuate}. */
    public String configName() { return name().toLowerCase(Locale.ROOT); }

    /** The alarm text prefix a failed monitor with this action publishes (see {@link HostRecord}). */
    public String alarmPrefix() {
        return this == NETWORKS ? HostRecord.NETWORK_LOST : this == DEGRADE ? HostRecord.DEGRADED : HostRecord.EVACUATING;
    }
}
