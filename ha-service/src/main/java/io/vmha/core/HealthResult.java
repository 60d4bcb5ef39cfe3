package io.vmha.core;

import io.vmha.core.port.GuestPing;

/** One finished check of one VM instance, handed to the core on the host's next step. */
public sealed interface HealthResult {
    String vm();

    /** The instance that was checked: a result for an instance no longer watched is dropped. */
    String instanceId();

    /** Monotonic time at which the check finished. */
    long atMillis();

    /** The guest's answer to a ping. */
    record Guest(String vm, String instanceId, GuestPing ping, long atMillis) implements HealthResult {}

    /**
     * One run of probe {@code index} of the VM's spec.
     *
     * @param detail what happened, for the journal ("connection refused", "status 503", "exit 1")
     */
    record Probe(String vm, String instanceId, int index, boolean ok, long latencyMillis, String detail,
                 long atMillis) implements HealthResult {}
}
