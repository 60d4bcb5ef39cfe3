package io.vmha.management;

import io.vmha.jmx.VmhaObjectNames;
import io.vmha.metrics.AgentSnapshot;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers vmha's MXBeans on the platform MBean server and keeps one Host bean per live member and one Vm bean
 * per registered VM, following the snapshots. Only one daemon per JVM can own the names (tests may run several):
 * a later one logs that and runs without beans rather than failing.
 */
final class MBeans implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MBeans.class);

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Set<ObjectName> registered = new TreeSet<>();
    private final Set<String> hosts = new TreeSet<>();
    private final Set<String> vms = new TreeSet<>();
    private final Managed m;
    private final MigrationBean migration;
    private boolean owner;

    MBeans(Managed m, PoolBean pool) {
        this.m = m;
        this.migration = new MigrationBean(m);
        owner = register(VmhaObjectNames.pool(), pool);
        if (!owner) {
            LOG.warn("{} is already registered in this JVM (another vmha daemon?); this daemon runs without MBeans",
                    VmhaObjectNames.pool());
            return;
        }
        register(VmhaObjectNames.heartbeat(), new HeartbeatBean(m));
        register(VmhaObjectNames.fencing(), new FencingBean(m));
        register(VmhaObjectNames.migration(), migration);
    }

    /** Add and remove Host and Vm beans to match the snapshot; cheap when nothing changed. */
    synchronized void sync(AgentSnapshot s) {
        if (!owner) return;
        follow(hosts, s.view().members().keySet(), VmhaObjectNames::host, name -> new HostBean(m, name));
        follow(vms, s.view().vms().keySet(), VmhaObjectNames::vm, name -> new VmBean(m, name, migration));
    }

    private void follow(Set<String> have, Set<String> want, Function<String, ObjectName> nameOf, Function<String, Object> bean) {
        if (have.equals(want)) return;
        for (String gone : new TreeSet<>(have)) {
            if (!want.contains(gone)) {
                unregister(nameOf.apply(gone));
                have.remove(gone);
            }
        }
        for (String fresh : want) {
            if (!have.contains(fresh) && register(nameOf.apply(fresh), bean.apply(fresh))) have.add(fresh);
        }
    }

    private boolean register(ObjectName name, Object bean) {
        try {
            server.registerMBean(bean, name);
            registered.add(name);
            return true;
        } catch (InstanceAlreadyExistsException e) {
            return false;
        } catch (JMException | RuntimeException e) {
            LOG.warn("cannot register {}: {}", name, e.toString());
            return false;
        }
    }

    private void unregister(ObjectName name) {
        try {
            if (registered.remove(name)) server.unregisterMBean(name);
        } catch (JMException e) {
            LOG.debug("unregistering {}: {}", name, e.toString());
        }
    }

    @Override public synchronized void close() {
        for (ObjectName name : new TreeSet<>(registered)) unregister(name);
        hosts.clear();
        vms.clear();
        owner = false;
    }
}
