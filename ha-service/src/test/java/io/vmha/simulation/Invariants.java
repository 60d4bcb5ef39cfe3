package io.vmha.simulation;

import io.vmha.core.Ownership;
import io.vmha.core.Versioned;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The safety and liveness properties, checked against the {@link Ledger} (what really runs) and the
 * coordinator's records after every event:
 * (a) no VM has two running instances; (b) owner epochs never decrease; (c) the registry changes only
 * by add/remove commands; (d) at the end, every HA VM runs exactly once, on its owner, at its epoch (or is
 * PENDING because no live host provides one of its networks).
 */
final class Invariants {
    private final Simulation sim;
    private final SortedMap<String, Long> highestEpoch = new TreeMap<>();
    /** The registry as the commands left it: the only legitimate source of change. */
    private final SortedMap<String, VmSpec> expectedRegistry = new TreeMap<>();
    /** Double runs already reported under a known limitation (instance-id sets), reported once each. */
    private final java.util.Set<String> reported = new TreeSet<>();
    private int doubleRuns;

    Invariants(Simulation sim) { this.sim = sim; }

    void defined(VmSpec spec) { expectedRegistry.put(spec.name(), spec); }

    void undefined(String vm) { expectedRegistry.remove(vm); }

    int doubleRuns() { return doubleRuns; }

    void afterEvent() {
        for (Map.Entry<String, SortedMap<String, String>> e : sim.ledger().all().entrySet()) {
            if (e.getValue().size() > 1) {
                String what = "vm " + e.getKey() + " runs twice: " + e.getValue();
                if (!sim.cluster().doubleRunIsKnownLimitation) throw sim.failure("(a) " + what);
                if (reported.add(e.getValue().keySet().toString())) {
                    doubleRuns++;
                    sim.log().record("INVARIANT", "(a) VIOLATED under a known limitation: " + what);
                }
            }
        }
        SortedMap<String, Versioned<Ownership>> owners = sim.coordinator().owners();
        for (Versioned<Ownership> v : owners.values()) {
            Ownership o = v.value();
            Long before = highestEpoch.get(o.vm());
            if (before != null && o.epoch() < before) {
                throw sim.failure("(b) owner epoch of vm " + o.vm() + " went back from " + before + " to " + o.epoch());
            }
            highestEpoch.put(o.vm(), o.epoch());
        }
        // A VM removed from the registry whose record is gone may come back later as a new VM, at epoch 1.
        highestEpoch.keySet().removeIf(vm -> !owners.containsKey(vm) && !expectedRegistry.containsKey(vm));
        if (!sim.coordinator().vms().equals(expectedRegistry)) {
            throw sim.failure("(c) registry changed without a command: " + sim.coordinator().vms().keySet()
                    + " but commands defined " + expectedRegistry.keySet());
        }
    }

    /** (d), after the faults stopped and the pool settled. Returns the VMs left in ERROR by the restart policy. */
    List<String> atEnd() {
        List<String> problems = new ArrayList<>();
        List<String> inError = new ArrayList<>();
        for (VmSpec spec : expectedRegistry.values()) {
            SortedMap<String, String> running = sim.ledger().instances(spec.name());
            Versioned<Ownership> v = sim.coordinator().owners().get(spec.name());
            Ownership o = v == null ? null : v.value();
            if (o != null && o.state() == VmState.ERROR) {
                inError.add(spec.name());
                if (!running.isEmpty()) problems.add("vm " + spec.name() + " is in ERROR but runs " + running);
                continue;
            }
            if (!spec.haEnabled()) continue;
            if (o != null && o.state() == VmState.PENDING && running.isEmpty() && !spec.networks().isEmpty()
                    && sim.coordinator().snapshot().members().values().stream().noneMatch(h -> h.provides(spec.networks()))) {
                continue; // waits, as it must, for a host providing its networks: not lost, its record says why
            }
            if (running.size() != 1) {
                problems.add("vm " + spec.name() + " runs " + running.size() + " times " + running + "; record " + o);
            } else if (o == null || o.state() != VmState.RUNNING || !running.containsValue(o.host())
                    || !running.containsKey(o.instance())) {
                problems.add("vm " + spec.name() + " runs as " + running + " but its record is " + o);
            }
        }
        for (String vm : sim.ledger().all().keySet()) {
            if (!expectedRegistry.containsKey(vm)) problems.add("vm " + vm + " was removed but runs " + sim.ledger().instances(vm));
        }
        if (!problems.isEmpty()) throw sim.failure("(d) after settling: " + String.join("; ", problems));
        return inError;
    }
}
