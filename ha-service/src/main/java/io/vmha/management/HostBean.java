package io.vmha.management;

import io.vmha.core.HostRecord;
import io.vmha.core.Ownership;
import io.vmha.core.PoolView;
import io.vmha.core.SlotReading;
import io.vmha.core.VmSpec;
import io.vmha.core.Versioned;
import io.vmha.jmx.HostMXBean;

/** {@code vmha:type=Host,name=<host>}: reads the host's record from the last snapshot on every call. */
final class HostBean implements HostMXBean {
    private final Managed m;
    private final String name;

    HostBean(Managed m, String name) {
        this.m = m;
        this.name = name;
    }

    /** The record, or one saying LEAVING if the host left since the bean was looked up. */
    private HostRecord record() {
        HostRecord r = m.now().view().members().get(name);
        return r != null ? r : new HostRecord(name, new io.vmha.core.HostCapacity(1, 1), 0, io.vmha.core.HostState.LEAVING);
    }

    @Override public String getName() { return name; }

    @Override public String getState() { return record().state().name(); }

    @Override public String getDriver() { return record().driver(); }

    @Override public long getMemoryMib() { return record().capacity().memoryMib(); }

    @Override public int getVcpus() { return record().capacity().vcpus(); }

    @Override public long getUsedMemoryMib() {
        PoolView v = m.now().view();
        long used = 0;
        for (Versioned<Ownership> o : v.owners().values()) {
            VmSpec spec = v.vms().get(o.value().vm());
            if (o.value().ownedBy(name) && o.value().state().holdsCapacity() && spec != null) used += spec.memoryMib();
        }
        return used;
    }

    @Override public int getVmCount() {
        int n = 0;
        for (Versioned<Ownership> o : m.now().view().owners().values()) {
            if (o.value().ownedBy(name) && o.value().state().holdsCapacity()) n++;
        }
        return n;
    }

    @Override public String[] getNetworks() { return record().networks().toArray(String[]::new); }

    @Override public String[] getAlarms() { return record().alarms().toArray(String[]::new); }

    @Override public long getIncarnation() { return record().incarnation(); }

    @Override public boolean isMaster() {
        // Only this daemon knows for sure whether it leads; for others, ask ZooKeeper's election.
        if (name.equals(m.config().host().name())) return m.now().leading();
        try {
            return name.equals(m.admin().masterId());
        } catch (io.vmha.core.port.CoordinationException e) {
            return false;
        }
    }

    @Override public long getHeartbeatAgeMillis() {
        for (SlotReading r : m.now().disk().slots().values()) {
            if (r.slot() != null && r.slot().host().equals(name)) return r.unchangedFor();
        }
        return -1;
    }
}
