package io.vmha.coordination;

import io.vmha.core.Names;
import java.util.List;
import org.apache.curator.utils.ZKPaths;

/**
 * The ZooKeeper layout of one pool, rooted at {@code /vmha/<pool>}. Every path the daemon, the CLI
 * and the tests use comes from here, so the layout is written down once:
 * <pre>
 * /vmha/&lt;pool&gt;/hosts/&lt;host&gt;    ephemeral  JSON HostRecord (liveness = the session)
 * /vmha/&lt;pool&gt;/master          LeaderLatch participants (id = host name)
 * /vmha/&lt;pool&gt;/vms/&lt;vm&gt;        persistent JSON VmSpec (desired state)
 * /vmha/&lt;pool&gt;/owners/&lt;vm&gt;     persistent JSON Ownership (changed by CAS on the znode version)
 * /vmha/&lt;pool&gt;/events/e-&lt;seq&gt;  persistent sequential JSON {wallMillis, source, message}
 * /vmha/&lt;pool&gt;/leases/&lt;host&gt;   persistent, written by the host's lease probe (a quorum write); watched by nobody
 * /vmha/&lt;pool&gt;/migrations/&lt;vm&gt; persistent JSON MigrationRequest: an operator's move or cancel, deleted by the master
 * </pre>
 */
public final class PoolPaths {
    public static final String ROOT = "/vmha";
    /** Prefix of the sequential event nodes; ZooKeeper appends a 10-digit, zero-padded counter. */
    public static final String EVENT_PREFIX = "e-";

    private final String pool;
    private final String base;

    public PoolPaths(String pool) {
        this.pool = Names.check("pool", pool);
        this.base = ZKPaths.makePath(ROOT, pool);
    }

    public String pool() { return pool; }

    public String base() { return base; }

    public String hosts() { return base + "/hosts"; }

    public String host(String host) { return hosts() + "/" + Names.check("host.name", host); }

    public String master() { return base + "/master"; }

    public String vms() { return base + "/vms"; }

    public String vm(String vm) { return vms() + "/" + Names.check("vm.name", vm); }

    public String owners() { return base + "/owners"; }

    public String owner(String vm) { return owners() + "/" + Names.check("owner.vm", vm); }

    public String events() { return base + "/events"; }

    public String leases() { return base + "/leases"; }

    public String migrations() { return base + "/migrations"; }

    public String migration(String vm) { return migrations() + "/" + Names.check("vm", vm); }

    public String lease(String host) { return leases() + "/" + Names.check("host.name", host); }

    /** The path handed to a PERSISTENT_SEQUENTIAL create. */
    public String eventPrefix() { return events() + "/" + EVENT_PREFIX; }

    /** The containers created at start so that caches and children listings have something to watch. */
    public List<String> containers() { return List.of(hosts(), master(), vms(), owners(), events(), leases(), migrations()); }

    /** The last path segment: the host or VM name of a child node. */
    public static String nodeName(String path) { return ZKPaths.getNodeFromPath(path); }

    /** True if {@code path} is a direct child of {@code parent} (caches also report the parent itself). */
    public static boolean isChildOf(String path, String parent) {
        return path.length() > parent.length() + 1 && path.startsWith(parent + "/")
                && path.indexOf('/', parent.length() + 1) < 0;
    }

    /**
     * The sequence number of an event node ({@code e-0000000042} → 42), or -1 if the name is not one.
     * ZooKeeper pads to 10 digits, so names sort in sequence order until the counter wraps at 2^31.
     */
    public static long eventSequence(String nodeName) {
        if (!nodeName.startsWith(EVENT_PREFIX)) return -1;
        try {
            return Long.parseLong(nodeName.substring(EVENT_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
