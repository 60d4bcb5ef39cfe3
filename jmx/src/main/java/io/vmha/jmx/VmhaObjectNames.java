package io.vmha.jmx;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/** The object names of vmha's MXBeans: one place, so the daemon, tests and Jolokia policies agree. */
public final class VmhaObjectNames {
    /** The JMX domain of every vmha bean; Jolokia's operator policy grants exec and write on it only. */
    public static final String DOMAIN = "vmha";

    private VmhaObjectNames() {}

    public static ObjectName pool() { return of("type=Pool"); }

    public static ObjectName heartbeat() { return of("type=Heartbeat"); }

    public static ObjectName fencing() { return of("type=Fencing"); }

    public static ObjectName migration() { return of("type=Migration"); }

    /** {@code vmha:type=Host,name=<host>}; host names are ZooKeeper node names, quoted if they need it. */
    public static ObjectName host(String name) { return of("type=Host,name=" + value(name)); }

    /** {@code vmha:type=Vm,name=<vm>}. */
    public static ObjectName vm(String name) { return of("type=Vm,name=" + value(name)); }

    /** Every Host bean: {@code vmha:type=Host,*}. */
    public static ObjectName allHosts() { return of("type=Host,*"); }

    /** Every Vm bean: {@code vmha:type=Vm,*}. */
    public static ObjectName allVms() { return of("type=Vm,*"); }

    /** Names are letters, digits, '.', '_' and '-' (vmha's rule), so they need no quoting; anything else is quoted. */
    private static String value(String name) {
        return name.matches("[A-Za-z0-9._-]+") ? name : ObjectName.quote(name);
    }

    private static ObjectName of(String properties) {
        try {
            return new ObjectName(DOMAIN + ":" + properties);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("not a valid vmha object name: " + DOMAIN + ":" + properties, e);
        }
    }
}
