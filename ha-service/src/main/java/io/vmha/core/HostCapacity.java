package io.vmha.core;

/** What a host offers to VMs: memory in MiB and virtual CPUs. */
public record HostCapacity(long memoryMib, int vcpus) {
    public HostCapacity {
        if (memoryMib <= 0) throw new InvalidInputException("capacity.memory-mib", memoryMib, "a positive number of MiB");
        if (vcpus <= 0) throw new InvalidInputException("capacity.vcpus", vcpus, "a positive number of vCPUs");
    }
}
