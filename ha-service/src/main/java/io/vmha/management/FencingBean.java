package io.vmha.management;

import io.vmha.core.HostState;
import io.vmha.jmx.FencingMXBean;
import io.vmha.metrics.AgentSnapshot;

/** {@code vmha:type=Fencing}: this host's fence state and deadlines. */
final class FencingBean implements FencingMXBean {
    private final Managed m;

    FencingBean(Managed m) { this.m = m; }

    @Override public String getFenceState() {
        AgentSnapshot s = m.now();
        return io.vmha.core.HostLogic.fenceState(s.hostState(), s.local()).name();
    }

    @Override public boolean isGuardEnabled() { return m.config().fencing().guard(); }

    @Override public long getDeadlineInMillis() {
        AgentSnapshot s = m.now();
        boolean anyRunning = s.local().values().stream().anyMatch(io.vmha.core.port.LocalVm::running);
        if (!anyRunning || s.hostState() == HostState.FENCED || s.runUntil() <= io.vmha.core.port.Connection.NEVER / 2
                || s.runUntil() == Long.MAX_VALUE) {
            return -1;
        }
        return Math.max(0, s.runUntil() - s.nowMono());
    }

    @Override public long getFenceAfterMillis() { return m.config().timings().fenceAfterMillis(); }

    @Override public long getStopDeadlineMillis() { return m.config().fencing().stopDeadlineMs(); }

    @Override public long getSafetyMarginMillis() { return m.config().fencing().safetyMarginMs(); }

    @Override public long getFenceCount() { return m.durations().fenceCount(); }

    @Override public String getLastFence() { return m.durations().lastFence(); }
}
