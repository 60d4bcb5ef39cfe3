/**
 * The operator contract of vmha over JMX: the MXBean interfaces every vmha daemon registers, their object
 * names, and the notifications they send. Only JDK types here: a JMX console (jconsole, VisualVM, hawtio over
 * Jolokia) needs nothing of vmha on its class path, because every attribute and operation uses open types.
 *
 * <p>Every daemon registers the same set, each describing the pool as that host sees it:
 * <ul>
 * <li>{@code vmha:type=Pool} ({@link io.vmha.jmx.PoolMXBean}): the pool summary, this host's role, the
 *     VM operations; it also sends the HA notifications ({@link io.vmha.jmx.VmhaNotifications});</li>
 * <li>{@code vmha:type=Host,name=<host>} ({@link io.vmha.jmx.HostMXBean}): one per live member;</li>
 * <li>{@code vmha:type=Vm,name=<vm>} ({@link io.vmha.jmx.VmMXBean}): one per registered VM;</li>
 * <li>{@code vmha:type=Heartbeat} ({@link io.vmha.jmx.HeartbeatMXBean}): the shared-disk heartbeat as read here;</li>
 * <li>{@code vmha:type=Fencing} ({@link io.vmha.jmx.FencingMXBean}): this host's self-fencing state and deadlines;</li>
 * <li>{@code vmha:type=Migration} ({@link io.vmha.jmx.MigrationMXBean}): live migrations.</li>
 * </ul>
 * Host and Vm beans appear and disappear as hosts join and leave and VMs are added and removed (within one
 * daemon loop step, 500 ms by default). Values may lag ZooKeeper by as much.
 */
package io.vmha.jmx;
