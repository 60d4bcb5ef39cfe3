package io.vmha.core.port;

import io.vmha.core.HealthReading;

import java.util.List;

/** Host-health samples taken by monitors on their own threads. */
public interface HealthReadings {
    /** Every reading taken since the last call, oldest first; never blocks. */
    List<HealthReading> drain();
}
