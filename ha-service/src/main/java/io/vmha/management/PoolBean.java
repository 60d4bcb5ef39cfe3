package io.vmha.management;

import io.vmha.coordination.PoolEvent;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.Ownership;
import io.vmha.core.PoolView;
import io.vmha.core.VmSpec;
import io.vmha.core.Versioned;
import io.vmha.core.port.Connection;
import io.vmha.jmx.PoolMXBean;
import io.vmha.jmx.VmhaNotifications;
import io.vmha.metrics.AgentSnapshot;
import io.vmha.metrics.FailuresToTolerate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;

/** {@code vmha:type=Pool}; also the sender of every HA notification of this daemon. */
final class PoolBean extends NotificationBroadcasterSupport implements PoolMXBean {
    private final Managed m;
    private final AtomicLong sequence = new AtomicLong();

    PoolBean(Managed m) {
        super(new MBeanNotificationInfo(VmhaNotifications.TYPES.toArray(String[]::new), Notification.class.getName(),
                "vmha HA events: failover, fence, migration, state change, alarm"));
        this.m = m;
    }

    /** Send one HA event; message and source as in the audit log. Never throws. */
    void notify(String type, String source, String message, long wallMillis) {
        Notification n = new Notification(type, io.vmha.jmx.VmhaObjectNames.pool(), sequence.incrementAndGet(), wallMillis, message);
        n.setUserData(source);
        sendNotification(n);
    }

    private PoolView view() { return m.now().view(); }

    @Override public String getName() { return m.config().pool(); }

    @Override public String getMaster() {
        try {
            return m.admin().masterId();
        } catch (io.vmha.core.port.CoordinationException e) {
            return "";
        }
    }

    @Override public String getSummary() {
        PoolView v = view();
        long active = v.members().values().stream().filter(h -> h.state() == HostState.ACTIVE).count();
        StringBuilder b = new StringBuilder().append("hosts ").append(active).append('/').append(v.members().size())
                .append(" active | vms ").append(v.vms().size()).append(':');
        getVmsByState().forEach((state, n) -> { if (n > 0) b.append(' ').append(n).append(' ').append(state.toLowerCase()); });
        return b.toString();
    }

    @Override public String[] getHosts() { return view().members().keySet().toArray(String[]::new); }

    @Override public int getActiveHostCount() {
        return (int) view().members().values().stream().filter(h -> h.state() == HostState.ACTIVE).count();
    }

    @Override public String[] getVms() { return view().vms().keySet().toArray(String[]::new); }

    @Override public Map<String, Integer> getVmsByState() {
        PoolView v = view();
        Map<String, Integer> out = new TreeMap<>();
        for (io.vmha.core.VmState s : io.vmha.core.VmState.values()) out.put(s.name(), 0);
        out.put("NEW", 0);
        for (VmSpec vm : v.vms().values()) {
            Versioned<Ownership> o = v.owners().get(vm.name());
            out.merge(o == null ? "NEW" : o.value().state().name(), 1, Integer::sum);
        }
        return out;
    }

    @Override public int getProtectedVmCount() { return (int) view().vms().values().stream().filter(VmSpec::haEnabled).count(); }

    @Override public int getFailuresToTolerate() { return FailuresToTolerate.of(view()); }

    @Override public String[] getAlarms() {
        List<String> out = new ArrayList<>();
        for (HostRecord h : view().members().values()) for (String a : h.alarms()) out.add(h.name() + ": " + a);
        return out.toArray(String[]::new);
    }

    @Override public String[] getProblems() {
        try {
            return m.admin().status().problems().toArray(String[]::new);
        } catch (io.vmha.core.port.CoordinationException e) {
            return new String[] {"cannot read the pool: " + e.getMessage()};
        }
    }

    @Override public String getThisHost() { return m.config().host().name(); }

    @Override public String getThisHostState() { return m.now().hostState().name(); }

    @Override public boolean isThisHostMaster() { return m.now().leading(); }

    @Override public String getZooKeeperState() { return m.now().connection().state().name(); }

    @Override public String getZooKeeperSession() { return Long.toHexString(m.now().connection().sessionId()); }

    @Override public long getZooKeeperContactAgeMillis() {
        AgentSnapshot s = m.now();
        Connection c = s.connection();
        return c.everContacted() ? Math.max(0, s.nowMono() - c.lastContactMillis()) : -1;
    }

    @Override public String getJolokiaUrl() { return m.urls().get().jolokia(); }

    @Override public String getPrometheusUrl() { return m.urls().get().prometheus(); }

    @Override public String setVmHaEnabled(String vm, boolean enabled) { return Managed.call(() -> m.vms().setHaEnabled(vm, enabled)); }

    @Override public String startVm(String vm) { return Managed.call(() -> m.vms().start(vm)); }

    @Override public String stopVm(String vm) { return Managed.call(() -> m.vms().stop(vm)); }

    @Override public String[] events(long sinceMillis) {
        List<PoolEvent> events = new ArrayList<>();
        Managed.call(() -> {
            events.addAll(m.admin().events(Math.max(0, sinceMillis)));
            return "";
        });
        return events.stream().map(io.vmha.management.EventLines::line).toArray(String[]::new);
    }
}
