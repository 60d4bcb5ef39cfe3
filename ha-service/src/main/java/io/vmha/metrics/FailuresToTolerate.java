package io.vmha.metrics;

import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.PoolView;
import io.vmha.core.VmSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How many simultaneous host failures the pool can absorb now, from what exists today (host capacities and VM
 * sizes; the HA-policy issue will bring admission control proper). The answer is the largest k such that for
 * EVERY set of k active hosts failing, all HA-enabled VMs fit on the remaining active hosts, packed by first-fit
 * decreasing on memory with vCPUs checked too. Conservative in two ways: first-fit may miss a packing that exists,
 * and nothing else placement honours (networks, drivers) can make it larger. -1 without an active host.
 *
 * <p>Cost: the subsets of k hosts are enumerated while there are at most {@link #EXACT_HOSTS} active hosts;
 * beyond that only the k largest hosts (by memory) are failed, which is the worst case for aggregate capacity.
 */
public final class FailuresToTolerate {
    static final int EXACT_HOSTS = 12;

    private FailuresToTolerate() {}

    public static int of(PoolView view) {
        List<HostRecord> active = new ArrayList<>();
        for (HostRecord h : view.members().values()) if (h.state() == HostState.ACTIVE) active.add(h);
        if (active.isEmpty()) return -1;
        List<VmSpec> vms = new ArrayList<>();
        for (VmSpec v : view.vms().values()) if (v.haEnabled()) vms.add(v);
        vms.sort(Comparator.comparingLong(VmSpec::memoryMib).reversed().thenComparing(VmSpec::name));
        // Not even the whole pool holds them: no failure can be tolerated (some VMs already wait for room).
        if (!fits(active, vms)) return 0;
        int k = 0;
        while (k + 1 < active.size() && survives(active, vms, k + 1)) k++;
        return k;
    }

    /** True if every choice of {@code k} failed hosts leaves room for {@code vms}. */
    static boolean survives(List<HostRecord> active, List<VmSpec> vms, int k) {
        if (active.size() <= EXACT_HOSTS) return everySubset(active, vms, k, 0, new ArrayList<>());
        List<HostRecord> byMemory = new ArrayList<>(active);
        byMemory.sort(Comparator.comparingLong((HostRecord h) -> h.capacity().memoryMib()).reversed());
        return fits(byMemory.subList(k, byMemory.size()), vms);
    }

    private static boolean everySubset(List<HostRecord> active, List<VmSpec> vms, int k, int from, List<HostRecord> failed) {
        if (failed.size() == k) {
            List<HostRecord> rest = new ArrayList<>(active);
            rest.removeAll(failed);
            return fits(rest, vms);
        }
        for (int i = from; i < active.size(); i++) {
            failed.add(active.get(i));
            boolean ok = everySubset(active, vms, k, i + 1, failed);
            failed.remove(failed.size() - 1);
            if (!ok) return false;
        }
        return true;
    }

    /** First-fit decreasing of {@code vms} (sorted by memory, largest first) into {@code hosts}. */
    static boolean fits(List<HostRecord> hosts, List<VmSpec> vms) {
        long[] memory = new long[hosts.size()];
        long[] vcpus = new long[hosts.size()];
        for (int i = 0; i < hosts.size(); i++) {
            memory[i] = hosts.get(i).capacity().memoryMib();
            vcpus[i] = hosts.get(i).capacity().vcpus();
        }
        for (VmSpec vm : vms) {
            boolean placed = false;
            for (int i = 0; i < memory.length && !placed; i++) {
                if (memory[i] >= vm.memoryMib() && vcpus[i] >= vm.vcpus()) {
                    memory[i] -= vm.memoryMib();
                    vcpus[i] -= vm.vcpus();
                    placed = true;
                }
            }
            if (!placed) return false;
        }
        return true;
    }
}
