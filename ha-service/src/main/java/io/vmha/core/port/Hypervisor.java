package io.vmha.core.port;

import io.vmha.core.VmSpec;

import java.util.List;
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

    /**
     * Hard-reset the guest in place (a hung guest, a failed application): the instance, its epoch and its
     * ownership stay; only the guest reboots. Throws if the VM has no running instance here.
     */
    void reset(String vm, String reason) throws HypervisorException;

    /** Ask the VM's guest for a sign of life, waiting at most {@code timeoutMillis}; never throws. */
    GuestPing pingGuest(String vm, long timeoutMillis);

    /**
     * Text present in one argument of every VM process's command line. The fence guard kills a listed pid
     * only if its command line carries it, so a reused pid is never killed.
     */
    String processMarker();

    /** The pids of the running VM processes: what the fence guard kills when the deadline passes. */
    List<Long> runningPids();

    /** The driver's live migration, empty when it cannot migrate (then a move is a stop and a cold start). */
    default java.util.Optional<LiveMigration> migration() { return java.util.Optional.empty(); }
}
