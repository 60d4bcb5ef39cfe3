package io.vmha.core.port;

/** Time, injected so that the simulator can run on a counter. */
public interface Clock {
    /** Monotonic milliseconds: for deadlines and timeouts on this host only, never compared across hosts. */
    long monotonicMillis();

    /** Wall-clock milliseconds since the epoch: only for records other hosts read (restart windows, events). */
    long wallMillis();
}
