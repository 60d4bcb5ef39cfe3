package io.vmha.management;

import io.vmha.config.AgentConfig;
import io.vmha.coordination.PoolAdmin;
import io.vmha.coordination.VmControl;
import io.vmha.jmx.MigrationControl;
import io.vmha.metrics.AgentSnapshot;
import io.vmha.metrics.HaDurations;
import io.vmha.metrics.VmhaMetrics;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the MXBeans read and call, handed to each of them: the last snapshot, the config, the pool's admin and
 * VM operations over the daemon's own ZooKeeper client, the metrics, and the migration entry points.
 *
 * @param lastWriteMicros duration of this host's last heartbeat slot write, -1 before the first
 * @param urls            this daemon's Jolokia and Prometheus URLs, "" when off
 */
record Managed(AgentConfig config, Supplier<AgentSnapshot> snapshot, PoolAdmin admin, VmControl vms, VmhaMetrics metrics,
               HaDurations durations, MigrationControl migration, LongSupplier lastWriteMicros,
               Supplier<io.vmha.coordination.EndpointRegistry.Endpoints> urls) {
    AgentSnapshot now() { return snapshot.get(); }

    /** Run a ZooKeeper-backed operation for a JMX caller: failures become exceptions JMX clients can show. */
    static String call(Operation op) {
        try {
            return op.run();
        } catch (io.vmha.core.InvalidInputException e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (io.vmha.core.port.CoordinationException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    interface Operation {
        String run() throws io.vmha.core.port.CoordinationException;
    }
}
