package io.vmha.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Chooses a host for a VM. Eligible: active, not evacuating, providing every network the VM needs. Among
 * eligible hosts with room, healthy ones first and degraded ones only when no healthy one fits (a VM running on a
 * degraded host beats a VM not running); then the VM's preferred hosts first; then the most free memory; ties go
 * to the smallest host name so every master decides the same.
 * Tracks what it has handed out, so one plan placing many VMs never overfills a host.
 */
public final class Placement {
    /** Free capacity of one host, as placement sees it. */
    public record Free(long memoryMib, int vcpus) {
        boolean fits(VmSpec vm) { return memoryMib >= vm.memoryMib() && vcpus >= vm.vcpus(); }

        Free minus(VmSpec vm) { return new Free(memoryMib - vm.memoryMib(), vcpus - vm.vcpus()); }
    }

    /**
     * The outcome, with the reason an operator would ask for; {@code waitingFor} says what an unplaced VM waits
     * for ("room", or "a host providing network(s) [...]").
     */
    public record Result(Optional<String> host, String reason, String waitingFor) {
        public Result(Optional<String> host, String reason) { this(host, reason, "room"); }
    }

    private final SortedMap<String, Free> free = new TreeMap<>();
    private final SortedMap<String, HostRecord> hosts = new TreeMap<>();

    /** Free capacity of every eligible member: capacity minus every VM its ownership records hold there. */
    public static Placement of(PoolView view) {
        Placement placement = new Placement();
        for (HostRecord host : view.members().values()) {
            // An evacuating host is being emptied: anything placed there would only have to move again.
            if (host.acceptsVms() && !host.evacuating()) {
                placement.free.put(host.name(), new Free(host.capacity().memoryMib(), host.capacity().vcpus()));
                placement.hosts.put(host.name(), host);
            }
        }
        for (Versioned<Ownership> owner : view.owners().values()) {
            Ownership o = owner.value();
            VmSpec spec = view.vms().get(o.vm());
            if (spec != null && o.state().holdsCapacity()) placement.take(o.host(), spec);
            // A live migration holds room on both ends until it commits or aborts.
            if (spec != null && o.state() == VmState.MIGRATING) placement.take(o.migration().target(), spec);
        }
        return placement;
    }

    public Map<String, Free> free() { return free; }

    /** Choose a host for {@code vm}, never one in {@code exclude}; the choice is taken from the free capacity. */
    public Result place(VmSpec vm, Set<String> exclude) {
        if (!free.isEmpty() && free.keySet().stream().noneMatch(h -> runsDriver(h, vm))) {
            return new Result(Optional.empty(), "no active host runs the " + vm.driver() + " driver (hosts: "
                    + drivers() + ")", "a host running the " + vm.driver() + " driver");
        }
        List<String> networked = new ArrayList<>();
        for (String h : free.keySet()) {
            if (!exclude.contains(h) && runsDriver(h, vm) && hosts.get(h).provides(vm.networks())) networked.add(h);
        }
        if (networked.isEmpty() && !vm.networks().isEmpty()) {
            return new Result(Optional.empty(), "no active host" + (exclude.isEmpty() ? "" : " outside " + exclude)
                    + " provides network" + (vm.networks().size() == 1 ? " " : "s ") + vm.networks() + " (provided: "
                    + provided(exclude) + ")", "a host providing " + vm.networks());
        }
        List<String> fitting = new ArrayList<>();
        for (String h : networked) if (free.get(h).fits(vm)) fitting.add(h);
        if (fitting.isEmpty()) {
            return new Result(Optional.empty(), "no active host has " + vm.memoryMib() + " MiB and " + vm.vcpus()
                    + " vCPU free" + (exclude.isEmpty() ? "" : " outside " + exclude)
                    + (vm.networks().isEmpty() ? "" : " with networks " + vm.networks()) + " (free: " + free + ")");
        }
        List<String> healthy = fitting.stream().filter(h -> !hosts.get(h).degraded()).toList();
        boolean onlyDegraded = healthy.isEmpty();
        List<String> tier = onlyDegraded ? fitting : healthy;
        List<String> preferred = tier.stream().filter(vm.preferredHosts()::contains).toList();
        List<String> pool = preferred.isEmpty() ? tier : preferred;
        String best = pool.get(0);
        for (String h : pool) {
            if (free.get(h).memoryMib() > free.get(best).memoryMib()) best = h; // strict: ties keep the smaller name
        }
        take(best, vm);
        String why = (preferred.isEmpty() ? "" : "preferred host, ") + "most free memory among " + pool.size()
                + " fitting host" + (pool.size() == 1 ? "" : "s") + (onlyDegraded ? "; only degraded hosts fit" : "");
        return new Result(Optional.of(best), why);
    }

    /** Take room on {@code host} for {@code vm} if the host is eligible for it and has it. */
    public boolean placeOn(String host, VmSpec vm) {
        Free f = free.get(host);
        if (f == null || !f.fits(vm) || !runsDriver(host, vm) || !hosts.get(host).provides(vm.networks())) return false;
        take(host, vm);
        return true;
    }

    /** A host runs one driver; a VM goes only to a host running its driver. */
    private boolean runsDriver(String host, VmSpec vm) {
        HostRecord h = hosts.get(host);
        return h != null && vm.driver().equals(h.driver());
    }

    private SortedMap<String, String> drivers() {
        SortedMap<String, String> drivers = new TreeMap<>();
        hosts.forEach((name, h) -> drivers.put(name, h.driver()));
        return drivers;
    }

    /** Which eligible host provides which networks, for messages. */
    private SortedMap<String, List<String>> provided(Set<String> exclude) {
        SortedMap<String, List<String>> out = new TreeMap<>();
        for (HostRecord h : hosts.values()) if (!exclude.contains(h.name())) out.put(h.name(), h.networks());
        return out;
    }

    private void take(String host, VmSpec vm) {
        free.computeIfPresent(host, (h, f) -> f.minus(vm));
    }

    /** Hosts that are eligible at all (active, not evacuating). */
    public Set<String> eligible() { return new TreeSet<>(free.keySet()); }
}
