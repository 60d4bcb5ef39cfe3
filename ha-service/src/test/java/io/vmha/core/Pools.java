package io.vmha.core;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Hand-built pool snapshots for the core's unit tests. */
final class Pools {
    final TreeMap<String, HostRecord> members = new TreeMap<>();
    final TreeMap<String, VmSpec> vms = new TreeMap<>();
    final TreeMap<String, Versioned<Ownership>> owners = new TreeMap<>();

    Pools host(String name, long mib, int vcpus) { return host(name, mib, vcpus, HostState.ACTIVE); }

    Pools host(String name, long mib, int vcpus, HostState state) {
        members.put(name, new HostRecord(name, new HostCapacity(mib, vcpus), 1, state));
        return this;
    }

    /** A host running {@code driver} instead of the default sim. */
    Pools hostWithDriver(String name, long mib, int vcpus, String driver) {
        members.put(name, new HostRecord(name, new HostCapacity(mib, vcpus), 1, HostState.ACTIVE).withDriver(driver));
        return this;
    }

    Pools vm(String name, long mib, String... prefer) {
        vms.put(name, new VmSpec(name, mib, 1, "sim", Map.of(), true, List.of(prefer)));
        return this;
    }

    Pools owner(String vm, String host, VmState state, long epoch) {
        owners.put(vm, new Versioned<>(new Ownership(vm, host, state, epoch, List.of(), "", "test"), 3));
        return this;
    }

    PoolView view() { return PoolView.of(members, vms, owners); }
}
