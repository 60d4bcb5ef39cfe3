package io.vmha.core.port;

/**
 * An outgoing migration on its source host.
 *
 * @param transferredBytes bytes of guest state sent so far
 * @param totalBytes       guest memory size (the hypervisor's estimate), 0 when unknown
 * @param remainingBytes   still to send in this pass, as the hypervisor reports it
 * @param detail           why it FAILED or was CANCELLED, "" otherwise
 */
public record OutgoingVm(String vm, String migrationId, Phase phase, long transferredBytes, long totalBytes,
                         long remainingBytes, String detail) {
    public enum Phase {
        /** The guest runs here while its memory is copied. */
        SENDING,
        /** Every byte was sent; the guest is paused here and must never run here again unless the move is aborted. */
        COMPLETED,
        /** The stream broke; the guest runs here (the hypervisor resumed it). */
        FAILED,
        /** Cancelled on request; the guest runs here. */
        CANCELLED
    }
}
