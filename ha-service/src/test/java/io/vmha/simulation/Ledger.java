package io.vmha.simulation;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What really runs, across all simulated hypervisors: VM name → instance id → host. The invariants
 * are checked against this, never against vmha's own records.
 */
final class Ledger {
    private final SortedMap<String, SortedMap<String, String>> running = new TreeMap<>();

    void started(String vm, String instanceId, String host) {
        running.computeIfAbsent(vm, v -> new TreeMap<>()).put(instanceId, host);
    }

    void stopped(String vm, String instanceId) {
        SortedMap<String, String> instances = running.get(vm);
        if (instances == null) return;
        instances.remove(instanceId);
        if (instances.isEmpty()) running.remove(vm);
    }

    /** Running instances of {@code vm}: instance id → host. */
    SortedMap<String, String> instances(String vm) {
        return Collections.unmodifiableSortedMap(running.getOrDefault(vm, new TreeMap<>()));
    }

    SortedMap<String, SortedMap<String, String>> all() { return Collections.unmodifiableSortedMap(running); }
}
