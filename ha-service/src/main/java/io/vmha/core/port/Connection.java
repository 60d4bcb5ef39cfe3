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
    /** {@code lastContactMillis} of a client that never completed a round trip: it holds no lease. */
    public static final long NEVER = Long.MIN_VALUE / 4; // far in the past, yet now - NEVER cannot overflow

    public boolean everContacted() { return lastContactMillis != NEVER; }

    public boolean connected() { return state == ConnectionState.CONNECTED; }
}
