package io.vmha.core;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A protected VM's definition and HA settings: the desired state kept in {@code vms/<vm>}.
 *
 * @param preferredHosts hosts tried first by placement, in no particular order
 * @param networks       logical networks the VM needs (sorted, unique; empty = none): it runs only on a host
 *                       providing all of them, and moves when its host loses one
 * @param health         guest heartbeat, probes and restart override ({@link VmHealth#DEFAULT} when null)
 */
public record VmSpec(String name, long memoryMib, int vcpus, String driver, Map<String, String> driverParams,
                     boolean haEnabled, List<String> preferredHosts, List<String> networks, VmHealth health) {
    public static final List<String> DRIVERS = List.of("sim", "qemu", "libvirt");
    public static final long MAX_MEMORY_MIB = 16L * 1024 * 1024;
    public static final int MAX_VCPUS = 1024;

    public VmSpec {
        Names.check("vm.name", name);
        if (memoryMib <= 0 || memoryMib > MAX_MEMORY_MIB) {
            throw new InvalidInputException("vm.memory-mib", memoryMib, "1 to " + MAX_MEMORY_MIB);
        }
        if (vcpus <= 0 || vcpus > MAX_VCPUS) throw new InvalidInputException("vm.vcpus", vcpus, "1 to " + MAX_VCPUS);
        if (driver == null || !DRIVERS.contains(driver)) {
            throw new InvalidInputException("vm.driver", driver, "one of " + DRIVERS);
        }
        driverParams = driverParams == null ? Map.of() : Map.copyOf(new TreeMap<>(driverParams));
        preferredHosts = preferredHosts == null ? List.of() : List.copyOf(preferredHosts);
        for (String host : preferredHosts) Names.check("vm.preferred-hosts", host);
        networks = HealthPolicy.sortedNames("vm.networks", networks);
        if (health == null) health = VmHealth.DEFAULT;
    }

    /** A spec without networks or a health policy (the form before either existed). */
    public VmSpec(String name, long memoryMib, int vcpus, String driver, Map<String, String> driverParams,
                  boolean haEnabled, List<String> preferredHosts) {
        this(name, memoryMib, vcpus, driver, driverParams, haEnabled, preferredHosts, List.of(), VmHealth.DEFAULT);
    }

    /** A spec without networks. */
    public VmSpec(String name, long memoryMib, int vcpus, String driver, Map<String, String> driverParams,
                  boolean haEnabled, List<String> preferredHosts, VmHealth health) {
        this(name, memoryMib, vcpus, driver, driverParams, haEnabled, preferredHosts, List.of(), health);
    }

    /** A spec without a health policy. */
    public VmSpec(String name, long memoryMib, int vcpus, String driver, Map<String, String> driverParams,
                  boolean haEnabled, List<String> preferredHosts, List<String> networks) {
        this(name, memoryMib, vcpus, driver, driverParams, haEnabled, preferredHosts, networks, VmHealth.DEFAULT);
    }

    public VmSpec withHealth(VmHealth next) {
        return new VmSpec(name, memoryMib, vcpus, driver, driverParams, haEnabled, preferredHosts, networks, next);
    }

    /** A sim VM with HA on and no preferences: what tests and the demo mostly need. */
    public static VmSpec sim(String name, long memoryMib) {
        return new VmSpec(name, memoryMib, 1, "sim", Map.of(), true, List.of());
    }
}
