package io.vmha.core;

import io.vmha.core.port.Journal;
import io.vmha.core.port.LocalVm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The owner host's VM-health decisions: which running instances to check, and what their results call for.
 * An instance is checked only while this host owns its VM at the instance's epoch and the record says
 * RUNNING. A reset keeps epoch and ownership (the master is not involved); a relocation stops the instance
 * first and only then reports it FAILED, so the master never restarts it elsewhere while it still runs.
 * Reset budgets live in this host's memory: a daemon restart forgets them (it also waits the minimum uptime
 * again before judging anything). A reset starts the minimum uptime afresh, whether or not the driver keeps
 * the instance.
 */
public final class HostHealth {
    /** Host alarm while a VM's reset budget is used up and it still fails: {@code reset-limit:<vm>}. */
    public static final String RESET_LIMIT_ALARM = "reset-limit:";

    /** The watches of one instance, since monotonic time {@code since}. */
    private static final class Watched {
        final HealthTarget target;
        final long since;
        final GuestWatch guest;
        final List<ProbeWatch> probes = new ArrayList<>();

        Watched(HealthTarget target, long since, GuestWatch guest) {
            this.target = target;
            this.since = since;
            this.guest = guest;
        }
    }

    private final String host;
    private final Journal journal;
    private final SortedMap<String, Watched> watched = new TreeMap<>();
    private final SortedMap<String, ResetBudget> budgets = new TreeMap<>();

    public HostHealth(String host, Journal journal) {
        this.host = host;
        this.journal = journal;
    }

    /** What the checks should cover after the last step. */
    public SortedMap<String, HealthTarget> targets() {
        SortedMap<String, HealthTarget> t = new TreeMap<>();
        watched.forEach((vm, w) -> t.put(vm, w.target));
        return t;
    }

    /** Host alarms, sorted: one per VM whose reset budget is spent while it still fails. */
    public List<String> alarms() {
        List<String> alarms = new ArrayList<>();
        for (Watched w : watched.values()) {
            boolean alarmed = (w.guest != null && w.guest.alarmed()) || w.probes.stream().anyMatch(ProbeWatch::alarmed);
            if (alarmed) alarms.add(RESET_LIMIT_ALARM + w.target.vm());
        }
        return alarms;
    }

    /** Stop watching everything (the host is not ACTIVE: it takes no health action). */
    public void clear() {
        watched.clear();
    }

    /**
     * One step: follow the instances, feed the results in, and return the actions (at most one per VM), in VM
     * order: {@link HostAction.Reset} or {@link HostAction.Relocate}.
     */
    public List<HostAction> step(long now, long nowWall, PoolView view, SortedMap<String, LocalVm> local,
                                 List<HealthResult> results) {
        follow(now, view, local);
        budgets.keySet().retainAll(local.keySet());
        for (HealthResult r : results) {
            Watched w = watched.get(r.vm());
            if (w == null || !w.target.instanceId().equals(r.instanceId())) continue; // an instance gone since
            // A check that finished before these watches began is about the guest before its reset (a ping that
            // still saw the panic would reset the rebooted guest at once).
            if (r.atMillis() < w.since) continue;
            if (r instanceof HealthResult.Guest g && w.guest != null) {
                w.guest.observe(g.ping(), g.atMillis());
            } else if (r instanceof HealthResult.Probe p && p.index() >= 0 && p.index() < w.probes.size()) {
                w.probes.get(p.index()).observe(p.ok(), p.detail(), p.atMillis());
            }
        }
        List<HostAction> actions = new ArrayList<>();
        for (Watched w : watched.values()) decide(w, now, nowWall, view).ifPresent(actions::add);
        for (HostAction a : actions) {
            // A reset reboots the guest. A driver that keeps the instance (qemu's system_reset) would otherwise
            // keep the old watches, whose minimum uptime is long over: the booting guest would be reset again.
            if (a instanceof HostAction.Reset r) watched.put(r.vm(), watch(watched.get(r.vm()).target, now));
        }
        return actions;
    }

    private Optional<HostAction> decide(Watched w, long now, long nowWall, PoolView view) {
        String vm = w.target.vm();
        GuestHeartbeat g = w.target.health().guestHeartbeat();
        ResetBudget budget = budgets.computeIfAbsent(vm, k -> new ResetBudget());
        int max = g.effectiveMaxResets();
        long window = g.effectiveResetWindowMillis();
        if (w.guest != null) {
            Optional<String> why = w.guest.decide(now, budget, max, window);
            if (why.isPresent()) return Optional.of(new HostAction.Reset(vm, w.target.instanceId(), "guest heartbeat: " + why.get()));
        }
        for (int i = 0; i < w.probes.size(); i++) {
            ProbeWatch p = w.probes.get(i);
            Optional<String> why = p.decide(now, budget, max, window);
            if (why.isEmpty()) continue;
            if (p.action() == HealthProbe.Action.RESET) {
                return Optional.of(new HostAction.Reset(vm, w.target.instanceId(), "probe[" + i + "] " + why.get()));
            }
            Versioned<Ownership> vo = view.owners().get(vm);
            Ownership next = vo.value().failed(nowWall, Ownership.RELOCATION_REQUESTED + "probe[" + i + "] " + why.get());
            return Optional.of(new HostAction.Relocate(w.target.instanceId(), next, vo.version()));
        }
        return Optional.empty();
    }

    /** Start watches for new monitored instances this host owns and runs; drop the others. */
    private void follow(long now, PoolView view, SortedMap<String, LocalVm> local) {
        SortedMap<String, HealthTarget> wanted = new TreeMap<>();
        for (LocalVm inst : local.values()) {
            Versioned<Ownership> vo = view.owners().get(inst.vm());
            VmSpec spec = view.vms().get(inst.vm());
            if (!inst.running() || vo == null || spec == null || !spec.health().monitored()) continue;
            Ownership o = vo.value();
            if (!o.ownedBy(host) || o.epoch() != inst.epoch() || o.state() != VmState.RUNNING) continue;
            wanted.put(inst.vm(), new HealthTarget(inst.vm(), inst.instanceId(), spec.health()));
        }
        watched.entrySet().removeIf(e -> !e.getValue().target.equals(wanted.get(e.getKey())));
        for (Map.Entry<String, HealthTarget> e : wanted.entrySet()) {
            if (watched.containsKey(e.getKey())) continue;
            watched.put(e.getKey(), watch(e.getValue(), now));
        }
    }

    /** Fresh watches of {@code t}, its minimum uptime counted from {@code now}. */
    private Watched watch(HealthTarget t, long now) {
        VmHealth h = t.health();
        Watched w = new Watched(t, now, h.guestHeartbeat().enabled()
                ? new GuestWatch(host, t.vm(), h.guestHeartbeat(), now, journal) : null);
        for (int i = 0; i < h.probes().size(); i++) {
            w.probes.add(new ProbeWatch(host, t.vm(), i, h.probes().get(i), now, h.minUptimeMillis(), journal));
        }
        return w;
    }
}
