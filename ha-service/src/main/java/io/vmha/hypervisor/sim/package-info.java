/**
 * The {@code sim} hypervisor driver: each VM instance is one light bash process that proves it runs by
 * appending {@code <instance-id> <epoch-micros>} to {@code <sharedDir>/disks/<vm>.disk} every 100 ms.
 *
 * <p>In the sim, a host <em>is</em> its daemon process: every VM loop is given the daemon's pid and exits
 * by itself within one tick (100 ms) once that process is gone, so a daemon crash takes its VMs with it,
 * exactly like a host crash. Closing a {@link io.vmha.hypervisor.sim.SimHypervisor} does not kill VMs;
 * a new driver created in the same daemon process adopts them from their state files. A new daemon
 * process finds the state files of its predecessor's VMs stale (those VMs died with it) and deletes them.
 *
 * <p>The disk files are the independent oracle read by {@link io.vmha.checker.DoubleRunChecker}.
 */
package io.vmha.hypervisor.sim;
