package io.vmha.coordination;

import io.vmha.core.HostRecord;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.port.CoordinationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the CLI does to a pool ({@code vmha vm add|remove|list}, {@code vmha status}, {@code vmha events})
 * through its own, already started CuratorFramework. It changes only desired state ({@code vms/}):
 * ownership records belong to the master, which stops and releases a VM whose spec was removed.
 */
public final class PoolAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(PoolAdmin.class);

    /** A point-in-time status of the pool; every list is sorted by name. */
    public record PoolStatus(String pool, String master, List<HostRecord> members, List<VmSpec> vms,
                             List<Ownership> owners, List<String> problems) {
        public PoolStatus {
            members = List.copyOf(members);
            vms = List.copyOf(vms);
            owners = List.copyOf(owners);
            problems = List.copyOf(problems);
        }

        /** Live members by name. */
        public java.util.SortedMap<String, HostRecord> memberMap() { return byName(members, HostRecord::name); }

        /** Registered VMs by name. */
        public java.util.SortedMap<String, VmSpec> vmMap() { return byName(vms, VmSpec::name); }

        /** Ownership records by VM name. */
        public java.util.SortedMap<String, Ownership> ownerMap() { return byName(owners, Ownership::vm); }

        private static <T> java.util.SortedMap<String, T> byName(List<T> values, Function<T, String> name) {
            java.util.SortedMap<String, T> map = new java.util.TreeMap<>();
            for (T v : values) map.put(name.apply(v), v);
            return map;
        }
    }

    private final CuratorFramework client;
    private final PoolPaths paths;
    private final EventLog events;

    public PoolAdmin(CuratorFramework client, String pool) {
        this.client = client;
        this.paths = new PoolPaths(pool);
        this.events = new EventLog(client, paths);
    }

    /** Register a VM; a name already registered is refused, so an add never overwrites a spec. */
    public void addVm(VmSpec spec) throws CoordinationException {
        String path = paths.vm(spec.name());
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path, Json.encode(spec));
        } catch (KeeperException.NodeExistsException e) {
            throw new InvalidInputException("vm.name", spec.name(), "a name not already registered in pool " + paths.pool());
        } catch (Exception e) {
            throw failure("adding vm " + spec.name() + " at " + path, e);
        }
        audit("vm " + spec.name() + " added (" + spec.memoryMib() + " MiB, " + spec.vcpus() + " vCPU, ha "
                + (spec.haEnabled() ? "on" : "off") + ")");
    }

    /** Unregister a VM; the master then stops it and deletes its ownership record. */
    public void removeVm(String name) throws CoordinationException {
        String path = paths.vm(name);
        try {
            client.delete().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            List<String> known = listVms().stream().map(VmSpec::name).toList();
            throw new InvalidInputException("vm.name", name, "one of the VMs registered in pool " + paths.pool() + " "
                    + known + "; nothing was changed");
        } catch (Exception e) {
            throw failure("removing vm " + name + " at " + path, e);
        }
        audit("vm " + name + " removed");
    }

    /**
     * Ask the master to migrate (or, with {@code cancel}, to stop migrating) a VM. One request per VM at a time: a
     * request the master has not taken yet is refused, so two operators never race on one VM.
     */
    public void requestMigration(io.vmha.core.MigrationRequest request) throws CoordinationException {
        String path = paths.migration(request.vm());
        if (!listVms().stream().map(VmSpec::name).toList().contains(request.vm())) {
            throw new InvalidInputException("vm", request.vm(), "one of the VMs registered in pool " + paths.pool() + " "
                    + listVms().stream().map(VmSpec::name).toList());
        }
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path, Json.encode(request));
        } catch (KeeperException.NodeExistsException e) {
            throw new InvalidInputException("vm", request.vm(), "a VM without a pending migration request (one is waiting"
                    + " for the master at " + path + ")");
        } catch (Exception e) {
            throw failure("writing the migration request " + path, e);
        }
        audit((request.cancel() ? "cancel of the migration of vm " + request.vm() : "migration " + request.id() + " of vm "
                + request.vm() + (request.to().isEmpty() ? "" : " to " + request.to())) + " requested by " + request.by());
    }

    /** The request still waiting for the master for {@code vm}, if any. */
    public java.util.Optional<io.vmha.core.MigrationRequest> pendingRequest(String vm) throws CoordinationException {
        String path = paths.migration(vm);
        try {
            byte[] data = client.getData().forPath(path);
            return Json.decodeNamed(path, data, io.vmha.core.MigrationRequest.class, io.vmha.core.MigrationRequest::vm,
                    problem -> LOG.warn("{}", problem));
        } catch (KeeperException.NoNodeException none) {
            return java.util.Optional.empty();
        } catch (Exception e) {
            throw failure("reading " + path, e);
        }
    }

    /** Registered VMs sorted by name; corrupt specs are skipped (and logged). */
    public List<VmSpec> listVms() throws CoordinationException {
        return readChildren(paths.vms(), VmSpec.class, VmSpec::name, problem -> LOG.warn("{}", problem));
    }

    public PoolStatus status() throws CoordinationException {
        List<String> problems = new ArrayList<>();
        List<HostRecord> members = readChildren(paths.hosts(), HostRecord.class, HostRecord::name, problems::add);
        List<VmSpec> vms = readChildren(paths.vms(), VmSpec.class, VmSpec::name, problems::add);
        List<Ownership> owners = readChildren(paths.owners(), Ownership.class, Ownership::vm, problems::add);
        return new PoolStatus(paths.pool(), masterId(), members, vms, owners, problems);
    }

    /** The audit log from {@code sinceWallMillis} on (0 for all that is kept), in the order ZooKeeper stored it. */
    public List<PoolEvent> events(long sinceWallMillis) throws CoordinationException {
        try {
            return events.read(sinceWallMillis);
        } catch (Exception e) {
            throw failure("reading " + paths.events(), e);
        }
    }

    /** The master's host name, or "" when no host holds mastership. */
    public String masterId() throws CoordinationException {
        try {
            // An unstarted latch only reads the participants: it never joins the election.
            return new LeaderLatch(client, paths.master()).getLeader().getId();
        } catch (KeeperException.NoNodeException noElectionYet) {
            return "";
        } catch (Exception e) {
            throw failure("reading the master of " + paths.master(), e);
        }
    }

    private <T> List<T> readChildren(String parent, Class<T> type, Function<T, String> name, Consumer<String> problems)
            throws CoordinationException {
        List<T> values = new ArrayList<>();
        try {
            List<String> children;
            try {
                children = client.getChildren().forPath(parent);
            } catch (KeeperException.NoNodeException emptyPool) {
                return values;
            }
            for (String child : children) {
                String path = parent + "/" + child;
                try {
                    byte[] data = client.getData().forPath(path);
                    Json.decodeNamed(path, data, type, name, problems).ifPresent(values::add);
                } catch (KeeperException.NoNodeException deletedMeanwhile) {
                    // gone between the listing and the read: not part of this snapshot
                }
            }
        } catch (Exception e) {
            throw failure("reading " + parent, e);
        }
        values.sort(Comparator.comparing(name));
        return values;
    }

    private void audit(String message) {
        try {
            events.append(System.currentTimeMillis(), "cli", message);
        } catch (Exception e) {
            LOG.warn("event not stored ({}): {}", e.toString(), message);
        }
    }

    private CoordinationException failure(String what, Exception e) {
        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        return new CoordinationException("pool " + paths.pool() + ": " + what + " failed: " + e, e);
    }

}
