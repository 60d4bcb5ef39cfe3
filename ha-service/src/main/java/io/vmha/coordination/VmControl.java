package io.vmha.coordination;

import io.vmha.core.InvalidInputException;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import io.vmha.core.port.CoordinationException;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Operator actions on one VM (JMX, Jolokia): HA on/off in its spec, and stop/start. Every write is a
 * compare-and-set on the version just read, so a concurrent master decision wins or loses cleanly and the
 * operator is told to retry. Stop and start keep the fencing-token rules: a stop asks the owner to stop
 * (STOPPING, same epoch) and vmha then leaves the VM STOPPED; a start moves a STOPPED or ERROR VM to PENDING
 * under a new epoch, with no owner, so the master places it like a new one. Neither ever names a new owner.
 */
public final class VmControl {
    private static final int ATTEMPTS = 3;
    private final CuratorFramework client;
    private final PoolPaths paths;
    private final EventLog events;
    private final String who;

    /** @param who the audit log's source for these actions, e.g. "jmx@h1" */
    public VmControl(CuratorFramework client, String pool, String who) {
        this.client = client;
        this.paths = new PoolPaths(pool);
        this.events = new EventLog(client, paths);
        this.who = who;
    }

    public String setHaEnabled(String vm, boolean enabled) throws CoordinationException {
        String path = paths.vm(vm);
        for (int i = 0; i < ATTEMPTS; i++) {
            Stat stat = new Stat();
            VmSpec spec = decode(path, read(path, stat, vm), VmSpec.class);
            if (spec.haEnabled() == enabled) return "vm " + vm + ": HA already " + onOff(enabled) + "; nothing changed";
            VmSpec next = new VmSpec(spec.name(), spec.memoryMib(), spec.vcpus(), spec.driver(), spec.driverParams(),
                    enabled, spec.preferredHosts(), spec.networks(), spec.health());
            if (write(path, Json.encode(next), stat.getVersion())) return audit("vm " + vm + " HA " + onOff(enabled));
        }
        throw busy(vm);
    }

    public String stop(String vm) throws CoordinationException {
        String path = paths.owner(vm);
        for (int i = 0; i < ATTEMPTS; i++) {
            Stat stat = new Stat();
            Ownership o = decode(path, read(path, stat, vm), Ownership.class);
            Ownership next;
            switch (o.state()) {
                case RUNNING, STARTING -> next = o.withState(VmState.STOPPING, "stopped by operator");
                case PENDING, FAILED -> next = o.reassign("", VmState.STOPPED, o.failures(), "stopped by operator");
                default -> {
                    return "vm " + vm + " is " + o.state() + "; nothing to stop";
                }
            }
            if (write(path, Json.encode(next), stat.getVersion())) {
                return audit("vm " + vm + " => " + next.state() + " (stopped by operator; vmha leaves it stopped)");
            }
        }
        throw busy(vm);
    }

    public String start(String vm) throws CoordinationException {
        String path = paths.owner(vm);
        for (int i = 0; i < ATTEMPTS; i++) {
            Stat stat = new Stat();
            Ownership o = decode(path, read(path, stat, vm), Ownership.class);
            if (o.state() != VmState.STOPPED && o.state() != VmState.ERROR) {
                return "vm " + vm + " is " + o.state() + "; only a STOPPED or ERROR VM is started";
            }
            // A fresh crash history: the operator's start is a clean slate for the restart policy.
            Ownership next = o.reassign("", VmState.PENDING, List.of(), "started by operator");
            if (write(path, Json.encode(next), stat.getVersion())) {
                return audit("vm " + vm + " => PENDING epoch " + next.epoch() + " (started by operator; the master places it)");
            }
        }
        throw busy(vm);
    }

    private static <T> T decode(String path, byte[] data, Class<T> type) throws CoordinationException {
        try {
            return Json.decode(path, data, type);
        } catch (CorruptNodeException e) {
            throw new CoordinationException(e.getMessage() + "; nothing was changed", e);
        }
    }

    private byte[] read(String path, Stat stat, String vm) throws CoordinationException {
        try {
            return client.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            throw new InvalidInputException("vm", vm, "a VM registered and placed in pool " + paths.pool()
                    + " (see vmha status; a VM shown NEW is being placed)");
        } catch (Exception e) {
            throw failure("reading " + path, e);
        }
    }

    /** Compare-and-set; false when the node changed meanwhile (read again). */
    private boolean write(String path, byte[] data, int version) throws CoordinationException {
        try {
            client.setData().withVersion(version).forPath(path, data);
            return true;
        } catch (KeeperException.BadVersionException raced) {
            return false;
        } catch (Exception e) {
            throw failure("writing " + path, e);
        }
    }

    private String audit(String message) {
        try {
            events.append(System.currentTimeMillis(), who, message);
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(VmControl.class).warn("event not stored ({}): {}", e.toString(), message);
        }
        return message;
    }

    private CoordinationException busy(String vm) {
        return new CoordinationException("vm " + vm + ": its record kept changing (the master is acting on it); try again");
    }

    private CoordinationException failure(String what, Exception e) {
        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        return new CoordinationException("pool " + paths.pool() + ": " + what + " failed: " + e, e);
    }

    private static String onOff(boolean on) { return on ? "on" : "off"; }
}
