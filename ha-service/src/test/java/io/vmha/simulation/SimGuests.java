package io.vmha.simulation;

import io.vmha.core.HealthResult;
import io.vmha.core.HealthTarget;
import io.vmha.core.VmHealth;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.LocalVm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The guests of one simulated machine and the daemon's health-check runner: guest pings and probes run on
 * the virtual scheduler at their intervals and answer from the faults set by {@code guest-hang},
 * {@code guest-panic} and {@code probe-fail} (per instance, or per VM with {@code always}: every instance of
 * it on this machine, e.g. a guest image that boots into a hang). Results wait for the daemon's next step,
 * which they wake, like the real runner's wakeup.
 */
final class SimGuests {
    private final SimHost host;
    private final Simulation sim;
    /** Faulty instance ids, and VMs whose every instance here is faulty. */
    private final Set<String> hung = new TreeSet<>();
    private final Set<String> panicked = new TreeSet<>();
    private final Set<String> probeFailing = new TreeSet<>();
    private final Set<String> hungVms = new TreeSet<>();
    private final Set<String> probeFailingVms = new TreeSet<>();
    /** What the daemon's runner checks (by VM), each with the token its scheduled checks carry. */
    private final SortedMap<String, HealthTarget> targets = new TreeMap<>();
    private final SortedMap<String, Long> tokens = new TreeMap<>();
    private final List<HealthResult> results = new ArrayList<>();
    private long nextToken;

    SimGuests(SimHost host, Simulation sim) {
        this.host = host;
        this.sim = sim;
    }

    // ---- faults ------------------------------------------------------------------------------------

    /** {@code verb} is guest-hang, guest-panic, guest-ok, probe-fail or probe-ok; false if nothing runs here. */
    boolean fault(String verb, String vm, boolean always, LocalVm inst) {
        String id = inst == null ? null : inst.instanceId();
        switch (verb) {
            case "guest-hang" -> { if (always) hungVms.add(vm); if (id != null) hung.add(id); }
            case "guest-panic" -> { if (id != null) panicked.add(id); }
            case "probe-fail" -> { if (always) probeFailingVms.add(vm); if (id != null) probeFailing.add(id); }
            case "guest-ok" -> { hungVms.remove(vm); if (id != null) { hung.remove(id); panicked.remove(id); } }
            case "probe-ok" -> { probeFailingVms.remove(vm); if (id != null) probeFailing.remove(id); }
            default -> throw new IllegalArgumentException(verb);
        }
        return id != null;
    }

    /** A new instance of {@code vm} starts here: it inherits the VM-wide faults. */
    void started(String vm, String instanceId) {
        if (hungVms.contains(vm)) hung.add(instanceId);
        if (probeFailingVms.contains(vm)) probeFailing.add(instanceId);
    }

    GuestPing ping(LocalVm inst, String instanceId) {
        if (inst == null || !inst.running() || !inst.instanceId().equals(instanceId)) return GuestPing.NOT_MONITORED;
        if (panicked.contains(instanceId)) return GuestPing.PANICKED;
        return hung.contains(instanceId) ? GuestPing.NO_ANSWER : GuestPing.OK;
    }

    // ---- the daemon's runner -------------------------------------------------------------------------

    /** The daemon (re)started or died: its runner starts empty. */
    void daemonGone() {
        targets.clear();
        tokens.clear();
        results.clear();
    }

    void watch(SortedMap<String, HealthTarget> wanted, long generation) {
        for (String vm : new ArrayList<>(targets.keySet())) {
            if (!targets.get(vm).equals(wanted.get(vm))) {
                targets.remove(vm);
                tokens.remove(vm);
            }
        }
        for (HealthTarget t : wanted.values()) {
            if (targets.containsKey(t.vm())) continue;
            long token = ++nextToken;
            targets.put(t.vm(), t);
            tokens.put(t.vm(), token);
            VmHealth h = t.health();
            if (h.guestHeartbeat().enabled()) schedulePing(t, token, generation);
            for (int i = 0; i < h.probes().size(); i++) scheduleProbe(t, i, token, generation);
        }
    }

    List<HealthResult> drain() {
        List<HealthResult> out = List.copyOf(results);
        results.clear();
        return out;
    }

    private boolean live(HealthTarget t, long token, long generation) {
        return Long.valueOf(token).equals(tokens.get(t.vm())) && host.daemonGeneration() == generation;
    }

    private void schedulePing(HealthTarget t, long token, long generation) {
        sim.scheduler().after(t.health().guestHeartbeat().pingIntervalMillis(), host.name() + " ping " + t.vm(), () -> {
            if (!live(t, token, generation)) return;
            if (!host.paused()) {
                GuestPing answer = ping(host.instance(t.vm()), t.instanceId());
                results.add(new HealthResult.Guest(t.vm(), t.instanceId(), answer, sim.scheduler().now()));
                host.wake(generation);
            }
            schedulePing(t, token, generation);
        });
    }

    private void scheduleProbe(HealthTarget t, int index, long token, long generation) {
        long every = t.health().probes().get(index).intervalSeconds() * 1000L;
        sim.scheduler().after(every, host.name() + " probe " + t.vm(), () -> {
            if (!live(t, token, generation)) return;
            if (!host.paused()) {
                boolean ok = ping(host.instance(t.vm()), t.instanceId()) == GuestPing.OK
                        && !probeFailing.contains(t.instanceId());
                results.add(new HealthResult.Probe(t.vm(), t.instanceId(), index, ok, 0, ok ? "ok" : "connection refused",
                        sim.scheduler().now()));
                host.wake(generation);
            }
            scheduleProbe(t, index, token, generation);
        });
    }
}
