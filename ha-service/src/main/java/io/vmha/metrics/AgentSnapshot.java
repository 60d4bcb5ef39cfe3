package io.vmha.metrics;

import io.vmha.core.DiskView;
import io.vmha.core.HostState;
import io.vmha.core.PoolView;
import io.vmha.core.port.Connection;
import io.vmha.core.port.LocalVm;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one daemon knows after a loop step, taken on the loop thread and read by the JMX and Prometheus threads.
 * Every part is an immutable value the daemon already holds, so taking it costs a few references per step.
 *
 * @param nowMono   the daemon's monotonic clock when taken (ms)
 * @param leading   this host is acting as pool master
 * @param runUntil  the fence guard's deadline (monotonic ms), {@link Connection#NEVER} when none
 * @param alarms    this host's own alarms as of the step
 */
public record AgentSnapshot(String host, String pool, long nowMono, PoolView view, HostState hostState, boolean leading,
                            Connection connection, DiskView disk, long runUntil, List<String> alarms,
                            SortedMap<String, LocalVm> local) {
    public AgentSnapshot {
        alarms = List.copyOf(alarms);
        local = local == null ? new TreeMap<>() : local;
    }

    /** Before the first step: nothing known yet. */
    public static AgentSnapshot empty(String host, String pool) {
        return new AgentSnapshot(host, pool, 0, PoolView.empty(), HostState.JOINING, false,
                new Connection(io.vmha.core.port.ConnectionState.SUSPENDED, 0, 0, Connection.NEVER), DiskView.none(),
                Connection.NEVER, List.of(), new TreeMap<>());
    }
}
