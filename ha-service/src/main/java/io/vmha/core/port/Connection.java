package io.vmha.core.port;

/**
 * The coordinator connection as last reported.
 *
 * @param sinceMillis monotonic time at which {@code state} was entered
 * @param sessionId   the coordinator session, 0 when none; a new id means the old session expired
 */
public record Connection(ConnectionState state, long sinceMillis, long sessionId) {
    public boolean connected() { return state == ConnectionState.CONNECTED; }
}
