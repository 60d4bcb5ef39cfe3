package io.vmha.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.Ownership;
import io.vmha.core.SlotReading;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import io.vmha.core.Versioned;
import io.vmha.core.port.Connection;
import io.vmha.core.port.ConnectionState;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gauges, computed at scrape time from the last {@link AgentSnapshot}. Label values that can be zero are
 * always exported (every state, every alarm kind), so a dashboard query has a series even when nothing is wrong.
 */
final class PoolGauges {
    /** Alarm kinds: an alarm's text up to its first ':' ("network-lost: eth1 ..." is of kind network-lost). */
    static final List<String> ALARM_KINDS = List.of(HostRecord.STORAGE_DEGRADED, HostRecord.COORDINATOR_OUTAGE,
            kind(HostRecord.NETWORK_LOST), kind(HostRecord.DEGRADED), kind(HostRecord.EVACUATING));
    /** A VM registered but without an ownership record yet. */
    static final String NEW = "new";

    private final Supplier<AgentSnapshot> snapshot;
    private final ToleranceCache tolerance = new ToleranceCache();

    PoolGauges(Supplier<AgentSnapshot> snapshot) {
        this.snapshot = snapshot;
    }

    void register(PrometheusRegistry registry) {
        gauge(registry, "vmha_hosts", "Live pool members by state, as this daemon sees the pool", List.of("state"), cb -> {
            Map<HostState, Integer> n = new EnumMap<>(HostState.class);
            for (HostRecord h : snapshot.get().view().members().values()) n.merge(h.state(), 1, Integer::sum);
            for (HostState s : HostState.values()) cb.call(n.getOrDefault(s, 0), lower(s.name()));
        });
        gauge(registry, "vmha_vms", "Registered VMs by ownership state (new: not yet placed)", List.of("state"), cb -> {
            AgentSnapshot s = snapshot.get();
            Map<VmState, Integer> n = new EnumMap<>(VmState.class);
            int fresh = 0;
            for (VmSpec vm : s.view().vms().values()) {
                Versioned<Ownership> o = s.view().owners().get(vm.name());
                if (o == null) fresh++;
                else n.merge(o.value().state(), 1, Integer::sum);
            }
            for (VmState st : VmState.values()) cb.call(n.getOrDefault(st, 0), lower(st.name()));
            cb.call(fresh, NEW);
        });
        gauge(registry, "vmha_vms_protected", "Registered VMs with HA enabled", List.of(), cb ->
                cb.call(snapshot.get().view().vms().values().stream().filter(VmSpec::haEnabled).count()));
        gauge(registry, "vmha_failures_to_tolerate", "Simultaneous host failures after which every HA VM still fits on "
                + "the remaining active hosts (first-fit decreasing on memory and vCPUs; -1: no active host)", List.of(),
                cb -> cb.call(tolerance.of(snapshot.get().view())));
        gauge(registry, "vmha_master", "1 while this daemon is acting as the pool master, else 0", List.of(),
                cb -> cb.call(snapshot.get().leading() ? 1 : 0));
        gauge(registry, "vmha_host_state", "This daemon's host state: 1 for the current state, 0 for the others",
                List.of("state"), cb -> {
                    HostState now = snapshot.get().hostState();
                    for (HostState s : HostState.values()) cb.call(s == now ? 1 : 0, lower(s.name()));
                });
        gauge(registry, "vmha_zookeeper_session_state", "This daemon's ZooKeeper connection: 1 for the current state",
                List.of("state"), cb -> {
                    ConnectionState now = snapshot.get().connection().state();
                    for (ConnectionState s : ConnectionState.values()) cb.call(s == now ? 1 : 0, lower(s.name()));
                });
        gaugeSeconds(registry, "vmha_zookeeper_contact_age_seconds", "Time since this daemon's last answered ZooKeeper "
                + "round trip (its lease); -1 before the first", cb -> {
                    AgentSnapshot s = snapshot.get();
                    Connection c = s.connection();
                    cb.call(c.everContacted() ? Math.max(0, s.nowMono() - c.lastContactMillis()) / 1000.0 : -1);
                });
        gaugeSeconds(registry, "vmha_heartbeat_age_seconds", "Per host: time its heartbeat-disk slot has not advanced, "
                + "read by this daemon on its own clock (stale above the disk timeout)", List.of("host"), cb -> {
                    for (SlotReading r : snapshot.get().disk().slots().values()) {
                        if (r.slot() != null) cb.call(r.unchangedFor() / 1000.0, r.slot().host());
                    }
                });
        gauge(registry, "vmha_alarms", "Alarms raised by each live host, by kind (0 when none)", List.of("host", "alarm"), cb -> {
            for (HostRecord h : snapshot.get().view().members().values()) {
                for (String k : ALARM_KINDS) {
                    cb.call(h.alarms().stream().filter(a -> kind(a).equals(k)).count(), h.name(), k);
                }
            }
        });
        gaugeSeconds(registry, "vmha_fence_deadline_seconds", "Time left before this host must have stopped its VMs "
                + "unless ZooKeeper answers again (the fence guard's deadline); -1 when none applies", cb -> {
                    AgentSnapshot s = snapshot.get();
                    cb.call(s.runUntil() <= Connection.NEVER / 2 || s.runUntil() == Long.MAX_VALUE ? -1
                            : Math.max(0, s.runUntil() - s.nowMono()) / 1000.0);
                });
    }

    static String kind(String alarm) {
        int colon = alarm.indexOf(':');
        return colon < 0 ? alarm : alarm.substring(0, colon);
    }

    private static String lower(String s) { return s.toLowerCase(Locale.ROOT); }

    private static void gauge(PrometheusRegistry registry, String name, String help, List<String> labels,
                              java.util.function.Consumer<GaugeWithCallback.Callback> callback) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(labels.toArray(String[]::new)).callback(callback)
                .register(registry);
    }

    private static void gaugeSeconds(PrometheusRegistry registry, String name, String help,
                                     java.util.function.Consumer<GaugeWithCallback.Callback> callback) {
        gaugeSeconds(registry, name, help, List.of(), callback);
    }

    private static void gaugeSeconds(PrometheusRegistry registry, String name, String help, List<String> labels,
                                     java.util.function.Consumer<GaugeWithCallback.Callback> callback) {
        GaugeWithCallback.builder().name(name).help(help).unit(Unit.SECONDS).labelNames(labels.toArray(String[]::new))
                .callback(callback).register(registry);
    }

    /** {@link FailuresToTolerate} recomputed only when the view changed (it enumerates host subsets). */
    static final class ToleranceCache {
        private io.vmha.core.PoolView last;
        private int value;

        synchronized int of(io.vmha.core.PoolView view) {
            if (view != last) {
                value = FailuresToTolerate.of(view);
                last = view;
            }
            return value;
        }
    }
}
