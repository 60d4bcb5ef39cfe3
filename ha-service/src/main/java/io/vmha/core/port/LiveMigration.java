package io.vmha.core.port;

import io.vmha.core.VmSpec;

import java.util.SortedMap;

/**
 * The live-migration half of a hypervisor driver (see {@link Hypervisor#migration()}). The core decides, the
 * driver moves bytes: a target prepares a paused instance that listens on loopback, the source sends its running
 * instance to a loopback port (the local end of the vmha tunnel), and the guest runs on the target only after
 * the owner record names the target ({@link #activate}). Every call returns promptly; progress is read back.
 *
 * <p>Safety contract: an incoming instance never executes guest code before {@link #activate}; a source
 * instance whose outgoing migration COMPLETED stays paused until it is stopped or {@link #resumeAfterMigration}.
 */
public interface LiveMigration {
    /**
     * Target: start {@code spec} paused under {@code epoch} (the epoch the owner record will carry once the move
     * commits), waiting for the migration stream on a loopback TCP port; returns that port. Listed by
     * {@link #incoming()} (and killed by the fence guard like any VM process) until activated or discarded.
     */
    int prepareIncoming(VmSpec spec, long epoch, String migrationId) throws HypervisorException;

    /** Target: the incoming instances, by VM name. */
    SortedMap<String, IncomingVm> incoming();

    /**
     * Target: the owner record names this host at the instance's epoch: let the loaded guest run. From then on
     * the instance is in {@link Hypervisor#instances()} as running under that epoch. Throws unless LOADED.
     */
    LocalVm activate(String vm) throws HypervisorException;

    /** Target: kill an incoming instance that will not be used; idempotent. */
    void discardIncoming(String vm, String why);

    /**
     * Source: start sending the running instance of {@code vm} to {@code 127.0.0.1:port}; returns at once. The
     * guest runs on until the switch-over; after COMPLETED it stays paused here.
     */
    void startOutgoing(String vm, String migrationId, int port, MigrationOptions options) throws HypervisorException;

    /** Source: outgoing migrations, by VM name, until {@link #clearOutgoing} or a stop of the VM. */
    SortedMap<String, OutgoingVm> outgoing();

    /** Source: cancel an outgoing migration still SENDING; the guest keeps (or resumes) running here. Idempotent. */
    void cancelOutgoing(String vm, String why);

    /** Source: the stream completed but the move was aborted (the owner record still names this host): run the guest again. */
    void resumeAfterMigration(String vm) throws HypervisorException;

    /** Source: forget a FAILED or CANCELLED outgoing record once it has been acted on. */
    void clearOutgoing(String vm);
}
