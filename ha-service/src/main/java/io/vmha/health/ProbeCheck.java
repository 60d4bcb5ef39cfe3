package io.vmha.health;

import io.vmha.core.HealthProbe;

/** One runnable application probe; {@link #run()} returns within about its timeout and never throws. */
public interface ProbeCheck {
    ProbeOutcome run();

    /** The adapter for {@code probe}. */
    static ProbeCheck of(HealthProbe probe) {
        long timeoutMillis = probe.timeoutSeconds() * 1000L;
        return switch (probe.kind()) {
            case TCP -> new TcpProbe(probe.target(), timeoutMillis);
            case HTTP -> new HttpProbe(probe.target(), probe.expectStatus(), timeoutMillis);
            case EXEC -> new ExecProbe(probe.command(), timeoutMillis);
        };
    }
}
