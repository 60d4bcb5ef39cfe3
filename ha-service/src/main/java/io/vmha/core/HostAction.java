package io.vmha.core;

/** A step the host's own daemon takes; the runner carries these out in order. */
public sealed interface HostAction {
    /** Publish this host's membership record. */
    record Publish(HostRecord record) implements HostAction {
        /** Short, for the log: the record itself repeats capacity and every migration's progress. */
        @Override public String toString() {
            return "Publish[" + record.name() + " " + record.state() + (record.alarms().isEmpty() ? "" : " alarms " + record.alarms())
                    + (record.migrations().isEmpty() ? "" : " " + record.migrations().size() + " migration(s)") + "]";
        }
    }

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

    /**
     * Hard-reset the guest of {@code vm} in place (same epoch, same owner), but only if {@code instanceId} is
     * still the instance running: a result about an older instance never resets a newer one.
     */
    record Reset(String vm, String instanceId, String why) implements HostAction {}

    /**
     * Stop instance {@code instanceId} of {@code next.vm()}, and only once it is gone, compare-and-set the
     * owner record to {@code next} (FAILED, relocation requested): the master then starts it on another host.
     */
    record Relocate(String instanceId, Ownership next, int expectedVersion) implements HostAction {}

    /** Forget an exited instance that no record cares about any more. */
    record Acknowledge(String vm) implements HostAction {}

    // ---- live migration (see HostMigration) -----------------------------------------------------------

    /** Target: start a paused copy of {@code spec} for {@code plan} under the epoch the commit will carry. */
    record PrepareIncoming(VmSpec spec, long epoch, MigrationPlan plan, String source) implements HostAction {}

    /** Target: the owner record commits {@code migrationId} to this host at {@code epoch}: run the received copy. */
    record Activate(String vm, long epoch, String migrationId) implements HostAction {}

    /** Target: kill a paused copy that will not run. */
    record DiscardIncoming(String vm, String migrationId, String why) implements HostAction {}

    /** Source: send the running instance (at {@code epoch}) through the tunnel to the target at {@code address}. */
    record StartOutgoing(String vm, long epoch, MigrationPlan plan, String address) implements HostAction {}

    /** Source: the move is off while the stream still runs: cancel it; the guest keeps running here. */
    record CancelOutgoing(String vm, String migrationId, String why) implements HostAction {}

    /** Source: the stream completed but the move was aborted: run the paused guest again, if still the owner at {@code epoch}. */
    record ResumeAfterMigration(String vm, long epoch, String migrationId) implements HostAction {}

    /** Source: forget a failed or cancelled stream once the master has seen it. */
    record ClearOutgoing(String vm, String migrationId) implements HostAction {}
}
