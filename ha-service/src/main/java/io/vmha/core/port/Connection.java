package io.vmha.core.port;

/**
 * The coordinator connection as last reported.
 *
 * @param sinceMillis       monotonic time at which {@code state} was entered
 * @param sessionId         the coordinator session, 0 when none; a new id means the old session expired
 * @param lastContactMillis monotonic time at which the last coordinator round trip that succeeded was
 *                          <em>sent</em>: the coordinator heard this host no earlier than that, so its
 *                          session cannot expire before {@code lastContactMillis + session timeout}
 */
public record Connection(ConnectionState state, long sinceMillis, long sessionId, long lastContactMillis) {
    public boolean connected() { return state == ConnectionState.CONNECTED; }
}
