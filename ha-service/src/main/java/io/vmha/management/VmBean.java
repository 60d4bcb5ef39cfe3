package io.vmha.management;

import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.Versioned;
import io.vmha.jmx.VmMXBean;

/** {@code vmha:type=Vm,name=<vm>}: the VM's spec and ownership record from the last snapshot. */
final class VmBean implements VmMXBean {
    private final Managed m;
    private final String name;
    private final MigrationBean migration;

    VmBean(Managed m, String name, MigrationBean migration) {
        this.m = m;
        this.name = name;
        this.migration = migration;
    }

    private VmSpec spec() {
        VmSpec s = m.now().view().vms().get(name);
        return s != null ? s : VmSpec.sim(name, 1); // removed since the lookup: harmless placeholder values
    }

    private Ownership owner() {
        Versioned<Ownership> o = m.now().view().owners().get(name);
        return o == null ? null : o.value();
    }

    @Override public String getName() { return name; }

    @Override public String getState() {
        Ownership o = owner();
        return o == null ? "NEW" : o.state().name();
    }

    @Override public String getHost() {
        Ownership o = owner();
        return o == null ? "" : o.host();
    }

    @Override public long getEpoch() {
        Ownership o = owner();
        return o == null ? 0 : o.epoch();
    }

    @Override public boolean isHaEnabled() { return spec().haEnabled(); }

    @Override public long getMemoryMib() { return spec().memoryMib(); }

    @Override public int getVcpus() { return spec().vcpus(); }

    @Override public String getDriver() { return spec().driver(); }

    @Override public String[] getNetworks() { return spec().networks().toArray(String[]::new); }

    @Override public String getReason() {
        Ownership o = owner();
        return o == null ? "" : o.reason();
    }

    @Override public String getInstance() {
        Ownership o = owner();
        return o == null ? "" : o.instance();
    }

    @Override public int getRecentFailures() {
        Ownership o = owner();
        if (o == null) return 0;
        long window = spec().health().policy(m.config().restartPolicy()).windowMillis();
        long now = System.currentTimeMillis();
        return (int) o.failures().stream().filter(t -> now - t <= window).count();
    }

    @Override public String enableHa() { return Managed.call(() -> m.vms().setHaEnabled(name, true)); }

    @Override public String disableHa() { return Managed.call(() -> m.vms().setHaEnabled(name, false)); }

    @Override public String start() { return Managed.call(() -> m.vms().start(name)); }

    @Override public String stop() { return Managed.call(() -> m.vms().stop(name)); }

    @Override public String migrate(String toHost) { return migration.migrate(name, toHost); }
}
