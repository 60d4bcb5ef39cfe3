package io.vmha.management;

import io.vmha.core.DiskView;
import io.vmha.core.SlotReading;
import io.vmha.core.port.Connection;
import io.vmha.jmx.HeartbeatMXBean;
import io.vmha.metrics.AgentSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code vmha:type=Heartbeat}: the disk view of the last snapshot. */
final class HeartbeatBean implements HeartbeatMXBean {
    private final Managed m;

    HeartbeatBean(Managed m) { this.m = m; }

    private DiskView disk() { return m.now().disk(); }

    @Override public boolean isConfigured() { return m.config().heartbeat().configured(); }

    @Override public String getDevice() {
        return isConfigured() ? m.config().heartbeat().device().toString() : "";
    }

    @Override public long getIntervalMillis() { return m.config().heartbeat().intervalMs(); }

    @Override public long getTimeoutMillis() { return m.config().heartbeat().timeoutMs(); }

    @Override public long getLastGoodRoundAgeMillis() {
        AgentSnapshot s = m.now();
        long last = s.disk().lastGoodRoundMillis();
        return !s.disk().configured() || last == Connection.NEVER ? -1 : Math.max(0, s.nowMono() - last);
    }

    @Override public long getLastWriteMicros() { return m.lastWriteMicros().getAsLong(); }

    @Override public Map<String, Long> getSlotAgesMillis() {
        Map<String, Long> out = new TreeMap<>();
        for (SlotReading r : disk().slots().values()) if (r.slot() != null) out.put(r.slot().host(), r.unchangedFor());
        return out;
    }

    @Override public String[] getStaleHosts() {
        List<String> out = new ArrayList<>();
        for (SlotReading r : disk().slots().values()) if (r.stale() && r.slot() != null) out.add(r.slot().host());
        return out.toArray(String[]::new);
    }

    @Override public String[] getSlots() {
        List<String> out = new ArrayList<>();
        for (SlotReading r : disk().slots().values()) {
            String host = r.slot() == null ? "-" : r.slot().host();
            String detail = r.slot() == null ? r.problem() : "zk " + r.slot().zk() + ", fence " + r.slot().fence()
                    + ", " + r.slot().epochs().size() + " vm(s)";
            out.add("slot " + r.index() + " " + r.status() + " " + host + (r.stale() ? " STALE" : "") + " unchanged "
                    + r.unchangedFor() + " ms: " + detail);
        }
        return out.toArray(String[]::new);
    }
}
