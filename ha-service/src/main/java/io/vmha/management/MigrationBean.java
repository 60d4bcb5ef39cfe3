package io.vmha.management;

import io.vmha.jmx.MigrationInfo;
import io.vmha.jmx.MigrationMXBean;

/**
 * {@code vmha:type=Migration}: counts from the metrics, operations through {@link io.vmha.jmx.MigrationControl}.
 * Until live migration is wired into the daemon, in-flight is empty and the operations fail saying so.
 */
final class MigrationBean implements MigrationMXBean {
    private final Managed m;

    MigrationBean(Managed m) { this.m = m; }

    @Override public boolean isAvailable() { return m.migration().available(); }

    @Override public MigrationInfo[] getInFlight() { return new MigrationInfo[0]; }

    @Override public long getSucceeded() { return m.metrics().migrations("succeeded"); }

    @Override public long getFailed() { return m.metrics().migrations("failed"); }

    @Override public long getCancelled() { return m.metrics().migrations("cancelled"); }

    @Override public String migrate(String vm, String toHost) {
        io.vmha.core.Names.check("vm", vm);
        io.vmha.core.Names.check("toHost", toHost);
        return m.migration().migrate(vm, toHost);
    }

    @Override public String cancel(String vm) { return m.migration().cancel(vm); }
}
