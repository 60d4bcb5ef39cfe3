package io.vmha.core;

import java.util.List;

/**
 * A VM's health policy, carried by its {@link VmSpec}: guest heartbeat, application probes and its own
 * restart policy. The default watches nothing and uses the pool's restart policy, which is what a VM
 * registered before health policies existed gets.
 *
 * @param restart this VM's restart policy, or null for the pool's
 */
public record VmHealth(GuestHeartbeat guestHeartbeat, List<HealthProbe> probes, RestartOverride restart) {
    public static final VmHealth DEFAULT = new VmHealth(GuestHeartbeat.OFF, List.of(), null);
    public static final int MAX_PROBES = 16;

    public VmHealth {
        if (guestHeartbeat == null) guestHeartbeat = GuestHeartbeat.OFF;
        probes = probes == null ? List.of() : List.copyOf(probes);
        if (probes.size() > MAX_PROBES) throw new InvalidInputException("vm.health.probes", probes.size() + " probes", "at most " + MAX_PROBES);
        for (int i = 0; i < probes.size(); i++) probes.get(i).check("vm.health.probes[" + i + "]");
    }

    /** True when the owner host has anything to check for this VM. */
    public boolean monitored() { return guestHeartbeat.enabled() || !probes.isEmpty(); }

    /** The restart policy for this VM: its own, or {@code pool}'s. */
    public RestartPolicy policy(RestartPolicy pool) { return restart != null ? restart.policy() : pool; }

    /** Wait before acting on the {@code crashes}-th crash in the window (0 without an own policy). */
    public long backoffMillis(int crashes) { return restart != null ? restart.backoffMillis(crashes) : 0; }

    /**
     * How long after an instance starts its guest and probe failures begin to count: the guest heartbeat's
     * minimum uptime (the preset's when the heartbeat itself is off), so a booting guest is not reset.
     */
    public long minUptimeMillis() { return guestHeartbeat.effectiveMinUptimeMillis(); }
}
