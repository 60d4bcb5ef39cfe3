package io.vmha.agent;

import io.vmha.config.AgentConfig.HypervisorConfig;
import io.vmha.core.VmSpec;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import io.vmha.core.port.LocalVm;
import io.vmha.hypervisor.libvirt.LibvirtHypervisor;
import io.vmha.hypervisor.qemu.QemuHypervisor;
import io.vmha.hypervisor.sim.SimHypervisor;

import java.util.List;
import java.util.SortedMap;

/**
 * The host's one hypervisor driver, chosen by {@code hypervisor.driver}, as the core's port plus the
 * daemon-side {@link #close()} (stop watching, leave VMs running). A host runs one driver; placement only
 * sends it VMs of that driver.
 */
final class DriverHandle implements Hypervisor, AutoCloseable {
    private final Hypervisor driver;
    private final AutoCloseable closer;

    private DriverHandle(Hypervisor driver, AutoCloseable closer) {
        this.driver = driver;
        this.closer = closer;
    }

    static DriverHandle open(String host, HypervisorConfig config, Journal journal, Runnable onChange) {
        if (HypervisorConfig.LIBVIRT.equals(config.driver())) {
            LibvirtHypervisor libvirt = new LibvirtHypervisor(host, config.libvirt(), journal, onChange);
            return new DriverHandle(libvirt, libvirt);
        }
        if (HypervisorConfig.QEMU.equals(config.driver())) {
            QemuHypervisor qemu = new QemuHypervisor(host, config.qemu(), journal, onChange);
            return new DriverHandle(qemu, qemu);
        }
        SimHypervisor sim = new SimHypervisor(host, config.sim().sharedDir(), config.sim().stateDir(), journal, onChange);
        return new DriverHandle(sim, sim);
    }

    @Override public SortedMap<String, LocalVm> instances() { return driver.instances(); }

    @Override public LocalVm start(VmSpec spec, long epoch) throws HypervisorException { return driver.start(spec, epoch); }

    @Override public void stop(String vm, String reason) throws HypervisorException { driver.stop(vm, reason); }

    @Override public void acknowledgeExit(String vm) { driver.acknowledgeExit(vm); }

    @Override public void reset(String vm, String reason) throws HypervisorException { driver.reset(vm, reason); }

    @Override public GuestPing pingGuest(String vm, long timeoutMillis) { return driver.pingGuest(vm, timeoutMillis); }

    @Override public String processMarker() { return driver.processMarker(); }

    @Override public List<Long> runningPids() { return driver.runningPids(); }

    @Override public java.util.Optional<io.vmha.core.port.LiveMigration> migration() { return driver.migration(); }

    /** Stops watching; running VMs keep running (a daemon restart adopts them). */
    @Override public void close() {
        try {
            closer.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the hypervisor driver: " + e.getMessage(), e);
        }
    }
}
