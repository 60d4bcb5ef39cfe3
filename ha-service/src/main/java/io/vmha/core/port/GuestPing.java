package io.vmha.core.port;

/** What a VM's guest said when asked for a sign of life (the QEMU guest agent's {@code guest-ping}, or the sim's equivalent). */
public enum GuestPing {
    /** The guest answered in time. */
    OK,
    /** No answer in time: the guest OS or its agent is hung, crashed or not yet up. */
    NO_ANSWER,
    /** The hypervisor saw the guest panic (qemu's GUEST_PANICKED event): no need to wait for the timeout. */
    PANICKED,
    /** This instance has no guest-agent channel, or it no longer runs: nothing to judge. */
    NOT_MONITORED
}
