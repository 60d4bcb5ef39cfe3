package io.vmha.metrics;

import io.vmha.core.HostState;
import io.vmha.core.Ownership;
import io.vmha.core.PoolView;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import io.vmha.core.Versioned;
import io.vmha.core.port.LocalVm;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Times HA actions from consecutive {@link AgentSnapshot}s, on the loop thread after every step (never in the
 * core, which stays free of metrics). Failovers and restarts are timed only while this daemon is the acting
 * master, so each is counted once in the pool; a master that takes over mid-way starts its clock when it
 * first sees the case (the figure is then shorter than the outage, never double-counted).
 * <ul>
 * <li>failover: an HA VM whose owner host is not a live member (first seen) until a record RUNNING on a live
 *     host under a newer epoch;</li>
 * <li>restart: a VM FAILED at epoch e on a live host (first seen) until RUNNING under an epoch &gt; e;</li>
 * <li>fence: this host entering FENCED until no local VM runs.</li>
 * </ul>
 */
public final class HaDurations {
    private record Pending(long epoch, long sinceMono) {}

    private final VmhaMetrics metrics;
    private final SortedMap<String, Pending> failovers = new TreeMap<>();
    private final SortedMap<String, Pending> restarts = new TreeMap<>();
    private HostState lastState = HostState.JOINING;
    private long fenceSince = -1;
    private volatile long fenceCount;
    private volatile String lastFence = "";

    public HaDurations(VmhaMetrics metrics) {
        this.metrics = metrics;
    }

    public void stepped(AgentSnapshot s) {
        trackFence(s);
        if (!s.leading()) {
            failovers.clear();
            restarts.clear();
            return;
        }
        PoolView view = s.view();
        failovers.keySet().retainAll(view.owners().keySet());
        restarts.keySet().retainAll(view.owners().keySet());
        for (Map.Entry<String, Versioned<Ownership>> e : view.owners().entrySet()) {
            Ownership o = e.getValue().value();
            VmSpec spec = view.vms().get(o.vm());
            boolean ownerGone = !o.host().isEmpty() && !view.members().containsKey(o.host());
            boolean runningLive = o.state() == VmState.RUNNING && view.members().containsKey(o.host());
            if (ownerGone && spec != null && spec.haEnabled() && o.state() != VmState.STOPPED && o.state() != VmState.ERROR) {
                failovers.putIfAbsent(o.vm(), new Pending(o.epoch(), s.nowMono()));
            } else if (o.state() == VmState.FAILED && !ownerGone && !failovers.containsKey(o.vm())) {
                restarts.putIfAbsent(o.vm(), new Pending(o.epoch(), s.nowMono()));
            }
            if (runningLive) {
                Pending f = failovers.get(o.vm());
                if (f != null && o.epoch() > f.epoch()) {
                    metrics.failoverCompleted((s.nowMono() - f.sinceMono()) / 1000.0);
                    failovers.remove(o.vm());
                }
                Pending r = restarts.get(o.vm());
                if (r != null && o.epoch() > r.epoch()) {
                    metrics.restartCompleted((s.nowMono() - r.sinceMono()) / 1000.0);
                    restarts.remove(o.vm());
                }
            }
            if (o.state() == VmState.STOPPED || o.state() == VmState.ERROR) {
                failovers.remove(o.vm());
                restarts.remove(o.vm());
            }
        }
    }

    private void trackFence(AgentSnapshot s) {
        if (s.hostState() == HostState.FENCED && lastState != HostState.FENCED) {
            fenceSince = s.nowMono();
            fenceCount++;
            lastFence = java.time.Instant.now() + " (" + lastState + " => FENCED)";
            metrics.fenceStarted();
        }
        lastState = s.hostState();
        if (fenceSince >= 0 && noneRunning(s.local())) {
            metrics.fenceCompleted((s.nowMono() - fenceSince) / 1000.0);
            fenceSince = -1;
        }
    }

    private static boolean noneRunning(SortedMap<String, LocalVm> local) {
        for (LocalVm vm : local.values()) if (vm.running()) return false;
        return true;
    }

    /** Fences of this host since the daemon started (for JMX). */
    public long fenceCount() { return fenceCount; }

    /** When and from which state this host last fenced, "" if never. */
    public String lastFence() { return lastFence; }
}
