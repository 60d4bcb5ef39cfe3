package io.vmha.core.port;

import io.vmha.core.DiskView;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.PoisonPill;

/**
 * The shared heartbeat disk, an independent channel beside the coordinator. The adapter does the I/O on
 * its own thread every interval; these calls never block on storage, so a stalled disk cannot stall the
 * decision loop.
 */
public interface HeartbeatDisk {
    /** The latest reading of every slot and of this host's mailbox. */
    DiskView view();

    /** What this host writes in its slot from the next interval on (the sequence is the adapter's). */
    void publish(HeartbeatSlot mine);

    /** Clear this host's mailbox of {@code pill} once it has been acted on (every local VM stopped). */
    void acknowledgePill(PoisonPill pill);

    /** Queue a poison pill for {@code pill.target()}'s mailbox; written on the next interval. */
    void poison(PoisonPill pill);
}
