package io.vmha.coordination;

import io.vmha.core.HostRecord;
import io.vmha.core.Ownership;
import io.vmha.core.PoolView;
import io.vmha.core.Versioned;
import io.vmha.core.VmSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * One CuratorCache per subtree (hosts, vms, owners) and the {@link PoolView} built from them.
 * A corrupt node is skipped and reported once per version of that node (not on every view()).
 */
final class PoolCaches implements AutoCloseable {
    private final PoolPaths paths;
    private final Consumer<String> problems;
    private final CuratorCache hosts;
    private final CuratorCache vms;
    private final CuratorCache owners;
    private final CuratorCache requests;
    private final CountDownLatch initialized = new CountDownLatch(4);
    /** path → mzxid of the corrupt version already reported. */
    private final Map<String, Long> reported = new ConcurrentHashMap<>();

    PoolCaches(CuratorFramework client, PoolPaths paths, Consumer<String> problems, Runnable onChange) {
        this.paths = paths;
        this.problems = problems;
        this.hosts = CuratorCache.build(client, paths.hosts());
        this.vms = CuratorCache.build(client, paths.vms());
        this.owners = CuratorCache.build(client, paths.owners());
        this.requests = CuratorCache.build(client, paths.migrations());
        for (CuratorCache cache : List.of(hosts, vms, owners, requests)) {
            cache.listenable().addListener(CuratorCacheListener.builder()
                    .forAll((type, before, after) -> onChange.run())
                    .forInitialized(() -> {
                        initialized.countDown();
                        onChange.run();
                    })
                    .build());
        }
    }

    void start() {
        hosts.start();
        vms.start();
        owners.start();
        requests.start();
    }

    /** True once every cache has loaded its subtree: before that a view would miss live hosts. */
    boolean initialized() { return initialized.getCount() == 0; }

    PoolView view() {
        Map<String, HostRecord> members = new TreeMap<>();
        Map<String, VmSpec> specs = new TreeMap<>();
        Map<String, Versioned<Ownership>> records = new TreeMap<>();
        hosts.stream().filter(d -> PoolPaths.isChildOf(d.getPath(), paths.hosts())).forEach(d ->
                Json.decodeNamed(d.getPath(), d.getData(), HostRecord.class, HostRecord::name, reporter(d))
                        .ifPresent(h -> members.put(h.name(), h)));
        vms.stream().filter(d -> PoolPaths.isChildOf(d.getPath(), paths.vms())).forEach(d ->
                Json.decodeNamed(d.getPath(), d.getData(), VmSpec.class, VmSpec::name, reporter(d))
                        .ifPresent(v -> specs.put(v.name(), v)));
        owners.stream().filter(d -> PoolPaths.isChildOf(d.getPath(), paths.owners())).forEach(d ->
                Json.decodeNamed(d.getPath(), d.getData(), Ownership.class, Ownership::vm, reporter(d))
                        .ifPresent(o -> records.put(o.vm(), new Versioned<>(o, d.getStat().getVersion()))));
        Map<String, Versioned<io.vmha.core.MigrationRequest>> asked = new TreeMap<>();
        requests.stream().filter(d -> PoolPaths.isChildOf(d.getPath(), paths.migrations())).forEach(d ->
                Json.decodeNamed(d.getPath(), d.getData(), io.vmha.core.MigrationRequest.class, io.vmha.core.MigrationRequest::vm, reporter(d))
                        .ifPresent(r -> asked.put(r.vm(), new Versioned<>(r, d.getStat().getVersion()))));
        return PoolView.of(members, specs, records).withRequests(asked);
    }

    private Consumer<String> reporter(ChildData node) {
        long mzxid = node.getStat() == null ? -1 : node.getStat().getMzxid();
        return message -> {
            Long before = reported.put(node.getPath(), mzxid);
            if (before == null || before != mzxid) problems.accept(message);
        };
    }

    @Override
    public void close() {
        hosts.close();
        vms.close();
        owners.close();
        requests.close();
    }
}
