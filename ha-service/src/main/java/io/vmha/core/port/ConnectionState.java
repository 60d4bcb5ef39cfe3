package io.vmha.core.port;

/** A host's view of its coordinator session, after Curator's connection states. */
public enum ConnectionState {
    /** Session alive and connected. */
    CONNECTED,
    /** Connection lost, session may still be alive: freeze. */
    SUSPENDED,
    /** Session known (or assumed) expired: leadership and ownership are gone. */
    LOST
}
