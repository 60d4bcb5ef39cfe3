package io.vmha.core.port;

import io.vmha.core.VmSpec;

import java.util.SortedMap;

/** One host's hypervisor driver (sim, qemu, libvirt). */
public interface Hypervisor {
    /** Every instance known on this host, running or exited-but-unacknowledged, by VM name. */
    SortedMap<String, LocalVm> instances();

    /** Start {@code spec} under {@code epoch}; returns once the instance runs. */
    LocalVm start(VmSpec spec, long epoch) throws HypervisorException;

    /** Stop the VM's instance, if any, hard (power off), and forget it; returns once it no longer runs. */
    void stop(String vm, String reason) throws HypervisorException;

    /** Forget an exited instance once its exit has been reported. */
    void acknowledgeExit(String vm);
}
