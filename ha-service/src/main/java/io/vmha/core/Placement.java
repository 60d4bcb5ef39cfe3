package io.vmha.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Chooses a host for a VM: among active hosts with room, the VM's preferred hosts first; among those,
 * the most free memory; ties go to the smallest host name so every master decides the same.
 * Tracks what it has handed out, so one plan placing many VMs never overfills a host.
 */
public final class Placement {
    /** Free capacity of one host, as placement sees it. */
    public record Free(long memoryMib, int vcpus) {
        boolean fits(VmSpec vm) { return memoryMib >= vm.memoryMib() && vcpus >= vm.vcpus(); }

        Free minus(VmSpec vm) { return new Free(memoryMib - vm.memoryMib(), vcpus - vm.vcpus()); }
    }

    /** The outcome, with the reason an operator would ask for. */
    public record Result(Optional<String> host, String reason) {}

    private final SortedMap<String, Free> free = new TreeMap<>();
    /** Each active host's driver: a VM is placed only on a host running its driver. */
    private final Map<String, String> drivers = new TreeMap<>();

    /** Free capacity of every active member: capacity minus every VM its ownership records hold there. */
    public static Placement of(PoolView view) {
        Placement placement = new Placement();
        for (HostRecord host : view.members().values()) {
            if (host.acceptsVms()) {
                placement.free.put(host.name(), new Free(host.capacity().memoryMib(), host.capacity().vcpus()));
                placement.drivers.put(host.name(), host.driver());
            }
        }
        for (Versioned<Ownership> owner : view.owners().values()) {
            Ownership o = owner.value();
            VmSpec spec = view.vms().get(o.vm());
            if (spec != null && o.state().holdsCapacity()) placement.take(o.host(), spec);
        }
        return placement;
    }

    public Map<String, Free> free() { return free; }

    /** Choose a host for {@code vm}, never one in {@code exclude}; the choice is taken from the free capacity. */
    public Result place(VmSpec vm, Set<String> exclude) {
        List<String> fitting = new ArrayList<>();
        for (Map.Entry<String, Free> e : free.entrySet()) {
            if (!exclude.contains(e.getKey()) && e.getValue().fits(vm) && runsDriver(e.getKey(), vm)) fitting.add(e.getKey());
        }
        if (fitting.isEmpty() && free.keySet().stream().noneMatch(h -> runsDriver(h, vm))) {
            return new Result(Optional.empty(), "no active host runs the " + vm.driver() + " driver (hosts: " + drivers + ")");
        }
        if (fitting.isEmpty()) {
            return new Result(Optional.empty(), "no active host has " + vm.memoryMib() + " MiB and " + vm.vcpus()
                    + " vCPU free" + (exclude.isEmpty() ? "" : " outside " + exclude) + " (free: " + free + ")");
        }
        List<String> preferred = fitting.stream().filter(vm.preferredHosts()::contains).toList();
        List<String> pool = preferred.isEmpty() ? fitting : preferred;
        String best = pool.get(0);
        for (String h : pool) {
            if (free.get(h).memoryMib() > free.get(best).memoryMib()) best = h; // strict: ties keep the smaller name
        }
        take(best, vm);
        String why = (preferred.isEmpty() ? "" : "preferred host, ") + "most free memory among " + pool.size()
                + " fitting host" + (pool.size() == 1 ? "" : "s");
        return new Result(Optional.of(best), why);
    }

    /** Take room on {@code host} for {@code vm} if the host is active and has it. */
    public boolean placeOn(String host, VmSpec vm) {
        Free f = free.get(host);
        if (f == null || !f.fits(vm) || !runsDriver(host, vm)) return false;
        take(host, vm);
        return true;
    }

    private boolean runsDriver(String host, VmSpec vm) {
        return vm.driver().equals(drivers.get(host));
    }

    private void take(String host, VmSpec vm) {
        free.computeIfPresent(host, (h, f) -> f.minus(vm));
    }
}
