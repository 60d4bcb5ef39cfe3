package io.vmha.health;

import io.vmha.core.HealthReading;
import io.vmha.core.port.Clock;
import io.vmha.core.port.Connection;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Heartbeat-disk write latency. The heartbeat thread reports each slot write's duration through
 * {@link #written(long)}; a write that hangs reports nothing, so {@link #checkHanging()} (called every disk interval
 * from the health runner) turns a round running longer than {@code warnMillis} into a reading of how long it has
 * hung so far: a stalled disk is slow now, not only once it returns.
 */
public final class DiskLatencyMonitor {
    private final long warnMillis;
    private final Clock clock;
    private final LongSupplier roundRunningSince;
    private final Consumer<HealthReading> out;

    /** @param roundRunningSince monotonic start of the heartbeat round in progress, {@link Connection#NEVER} if none */
    public DiskLatencyMonitor(long warnMillis, Clock clock, LongSupplier roundRunningSince, Consumer<HealthReading> out) {
        this.warnMillis = warnMillis;
        this.clock = clock;
        this.roundRunningSince = roundRunningSince;
        this.out = out;
    }

    /** A slot write completed in {@code micros}; called on the heartbeat thread. */
    public void written(long micros) {
        out.accept(new HealthReading.DiskWrite(micros / 1000, clock.monotonicMillis()));
    }

    /** If a round has been running longer than the warning level, report it as a slow write. */
    public void checkHanging() {
        long since = roundRunningSince.getAsLong();
        if (since == Connection.NEVER) return;
        long now = clock.monotonicMillis();
        if (now - since > warnMillis) out.accept(new HealthReading.DiskWrite(now - since, now));
    }
}
