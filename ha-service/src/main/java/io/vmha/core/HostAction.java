package io.vmha.core;

/** A step the host's own daemon takes; the runner carries these out in order. */
public sealed interface HostAction {
    /** Publish this host's membership record. */
    record Publish(HostRecord record) implements HostAction {}

    /**
     * Start {@code spec} under {@code epoch} — but only after re-reading {@code owners/<vm>} straight from
     * the coordinator and finding this host still the owner at that epoch (the fencing token check).
     */
    record Start(VmSpec spec, long epoch) implements HostAction {}

    /** Hard-stop the local instance of {@code vm}. */
    record Stop(String vm, String why) implements HostAction {}

    /** Compare-and-set this host's own ownership record; on success, forget the exited instance if asked. */
    record Report(Ownership next, int expectedVersion, boolean acknowledgeExit) implements HostAction {}

    /** Clear a poison pill from this host's mailbox once every local VM is stopped. */
    record AcknowledgePill(PoisonPill pill) implements HostAction {}

    /** Forget an exited instance that no record cares about any more. */
    record Acknowledge(String vm) implements HostAction {}
}
