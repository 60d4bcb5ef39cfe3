package io.vmha.core;

import io.vmha.core.port.Connection;
import io.vmha.core.port.Journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns host-health readings into what the pool must know about this host: the logical networks it provides
 * now (configured minus those of failed NICs) and its health alarms ({@code network-lost:}, {@code degraded:},
 * {@code evacuating:}). Each monitor is a small state machine ({@link MonitorState}) that needs its threshold of
 * consecutive bad readings to fail and as many good ones to recover; every change is journaled. Pure: readings
 * carry their own monotonic times. Not thread-safe: the host's decision thread calls it.
 */
public final class HostHealthMonitors {
    /** What the host publishes: networks provided, sorted; health alarms, sorted. */
    public record Status(List<String> networks, List<String> alarms) {
        /** True when a failed monitor asks for the host to be emptied. */
        public boolean evacuate() { return alarms.stream().anyMatch(a -> a.startsWith(HostRecord.EVACUATING)); }
    }

    private static final class Monitor {
        final int threshold;
        final HealthAction action;
        final String alarm;
        final StateMachine<MonitorState> state;
        int bad;
        int good;
        long badSince;
        long goodSince;
        long lastAt = Connection.NEVER;

        Monitor(String host, String subject, int threshold, HealthAction action, String alarm, Journal journal) {
            this.threshold = threshold;
            this.action = action;
            this.alarm = action.alarmPrefix() + alarm;
            this.state = new StateMachine<>(host, subject, MonitorState.UNKNOWN, MonitorState.TRANSITIONS, journal);
        }
    }

    private final HealthPolicy policy;
    private final SortedMap<String, Monitor> nics = new TreeMap<>();
    private final SortedMap<String, Monitor> addresses = new TreeMap<>();
    private final Monitor disk;

    public HostHealthMonitors(String host, HealthPolicy policy, Journal journal) {
        this.policy = policy;
        for (HealthPolicy.Nic n : policy.nics()) {
            nics.put(n.name(), new Monitor(host, "nic " + n.name(), n.failures(), n.action(),
                    "nic " + n.name() + " down, networks " + n.networks(), journal));
        }
        for (HealthPolicy.Reachability r : policy.reachability()) {
            addresses.put(r.address(), new Monitor(host, "reachability " + r.address(), r.failures(), r.action(),
                    r.address() + " unreachable", journal));
        }
        disk = policy.diskLatency().map(d -> new Monitor(host, "heartbeat-disk latency", d.failures(), d.action(),
                "heartbeat disk writes slower than " + d.warnMs() + " ms", journal)).orElse(null);
    }

    public HealthPolicy policy() { return policy; }

    /** Take one reading into account; a reading for something not configured, or older than one seen, is ignored. */
    public void observe(HealthReading reading) {
        if (reading instanceof HealthReading.NicLink n) {
            observe(nics.get(n.nic()), n.up(), n.up() ? "up" : "down: " + n.detail(), n.atMillis());
        } else if (reading instanceof HealthReading.Reachable r) {
            observe(addresses.get(r.address()), r.reachable(), r.detail(), r.atMillis());
        } else if (reading instanceof HealthReading.DiskWrite d && disk != null) {
            long warn = policy.diskLatency().orElseThrow().warnMs();
            observe(disk, d.latencyMillis() <= warn, "slot write " + d.latencyMillis() + " ms (warn above " + warn + " ms)",
                    d.atMillis());
        }
    }

    private static void observe(Monitor m, boolean ok, String detail, long at) {
        if (m == null || at < m.lastAt) return;
        m.lastAt = at;
        MonitorState s = m.state.state();
        if (ok) {
            m.bad = 0;
            if (m.good++ == 0) m.goodSince = at;
            String why = detail + "; " + count(m.good, m.threshold, at - m.goodSince);
            if (s == MonitorState.UNKNOWN || s == MonitorState.SUSPECT || m.good >= m.threshold) {
                m.state.transition(MonitorState.OK, why);
            } else if (s == MonitorState.FAILED) {
                m.state.transition(MonitorState.RECOVERING, why);
            }
        } else {
            m.good = 0;
            if (m.bad++ == 0) m.badSince = at;
            String why = detail + "; " + count(m.bad, m.threshold, at - m.badSince);
            if (m.bad >= m.threshold || s == MonitorState.RECOVERING) {
                m.state.transition(MonitorState.FAILED, why);
            } else if (s != MonitorState.FAILED) {
                m.state.transition(MonitorState.SUSPECT, why);
            }
        }
    }

    private static String count(int n, int threshold, long overMillis) {
        return n + " of " + threshold + " reading" + (threshold == 1 ? "" : "s") + " in a row"
                + (n > 1 ? " over " + overMillis + " ms" : "");
    }

    /** The networks this host provides now and its health alarms. */
    public Status status() {
        SortedSet<String> provided = new TreeSet<>();
        for (HealthPolicy.Nic n : policy.nics()) {
            MonitorState s = nics.get(n.name()).state.state();
            if (s == MonitorState.OK || s == MonitorState.SUSPECT) provided.addAll(n.networks());
        }
        SortedSet<String> alarms = new TreeSet<>();
        for (Monitor m : all()) if (m.state.state().failed()) alarms.add(m.alarm);
        return new Status(List.copyOf(provided), List.copyOf(alarms));
    }

    /** Each monitor's state by subject, for tests and operators. */
    public SortedMap<String, MonitorState> states() {
        SortedMap<String, MonitorState> out = new TreeMap<>();
        for (Map.Entry<String, Monitor> e : nics.entrySet()) out.put("nic " + e.getKey(), e.getValue().state.state());
        for (Map.Entry<String, Monitor> e : addresses.entrySet()) out.put("reachability " + e.getKey(), e.getValue().state.state());
        if (disk != null) out.put("heartbeat-disk latency", disk.state.state());
        return out;
    }

    private List<Monitor> all() {
        List<Monitor> all = new ArrayList<>(nics.values());
        all.addAll(addresses.values());
        if (disk != null) all.add(disk);
        return all;
    }
}
