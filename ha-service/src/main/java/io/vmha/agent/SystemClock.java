package io.vmha.agent;

import io.vmha.core.port.Clock;

/** The machine's clocks: monotonic for deadlines, wall for records other hosts read. */
public final class SystemClock implements Clock {
    @Override public long monotonicMillis() { return System.nanoTime() / 1_000_000; }

    @Override public long wallMillis() { return System.currentTimeMillis(); }
}
