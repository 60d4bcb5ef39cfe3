package io.vmha.management;

import io.vmha.jmx.MigrationInfo;
import io.vmha.jmx.MigrationMXBean;

/**
 * {@code vmha:type=Migration}: counts from the metrics, operations through {@link io.vmha.jmx.MigrationControl}.
 * In-flight comes from the owner records
 * and the source hosts' published progress.
 */
final class MigrationBean implements MigrationMXBean {
    private final Managed m;

    MigrationBean(Managed m) { this.m = m; }

    @Override public boolean isAvailable() { return m.migration().available(); }

    /** Every VM whose owner record is MIGRATING, with the progress its source publishes (-1 before the stream starts). */
    @Override public MigrationInfo[] getInFlight() {
        io.vmha.core.PoolView view = m.snapshot().get().view();
        java.util.List<MigrationInfo> out = new java.util.ArrayList<>();
        for (io.vmha.core.Versioned<io.vmha.core.Ownership> v : view.owners().values()) {
            io.vmha.core.Ownership o = v.value();
            if (o.state() != io.vmha.core.VmState.MIGRATING) continue;
            io.vmha.core.HostRecord source = view.members().get(o.host());
            int percent = source == null ? -1 : source.migration(o.vm(), o.migration().id(), io.vmha.core.MigrationStatus.SOURCE)
                    .map(io.vmha.core.MigrationStatus::percent).orElse(-1);
            out.add(new MigrationInfo(o.vm(), o.host(), o.migration().target(), percent, 0));
        }
        return out.toArray(new MigrationInfo[0]);
    }

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
