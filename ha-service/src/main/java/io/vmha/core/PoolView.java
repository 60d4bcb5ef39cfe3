package io.vmha.core;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One snapshot of the pool as a host sees it: live members, registered VMs and ownership records.
 * Sorted maps so that every iteration over the pool is deterministic. May be stale; every write
 * that depends on it is a compare-and-set on the version it carries.
 */
public record PoolView(SortedMap<String, HostRecord> members, SortedMap<String, VmSpec> vms,
                       SortedMap<String, Versioned<Ownership>> owners,
                       SortedMap<String, Versioned<MigrationRequest>> requests) {
    public PoolView(SortedMap<String, HostRecord> members, SortedMap<String, VmSpec> vms,
                    SortedMap<String, Versioned<Ownership>> owners) {
        this(members, vms, owners, new TreeMap<>());
    }

    public PoolView {
        requests = Collections.unmodifiableSortedMap(new TreeMap<>(requests == null ? Map.of() : requests));
        members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
        vms = Collections.unmodifiableSortedMap(new TreeMap<>(vms));
        owners = Collections.unmodifiableSortedMap(new TreeMap<>(owners));
    }

    public static PoolView empty() { return new PoolView(new TreeMap<>(), new TreeMap<>(), new TreeMap<>()); }

    public static PoolView of(Map<String, HostRecord> members, Map<String, VmSpec> vms,
                              Map<String, Versioned<Ownership>> owners) {
        return new PoolView(new TreeMap<>(members), new TreeMap<>(vms), new TreeMap<>(owners));
    }

    /** The same view with operator migration requests ({@code migrations/}). */
    public PoolView withRequests(Map<String, Versioned<MigrationRequest>> next) {
        return new PoolView(members, vms, owners, new TreeMap<>(next));
    }
}
