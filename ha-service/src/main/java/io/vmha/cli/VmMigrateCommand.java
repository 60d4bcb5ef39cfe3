package io.vmha.cli;

import io.vmha.coordination.PoolAdmin;
import io.vmha.coordination.PoolEvent;
import io.vmha.core.MigrationRequest;
import io.vmha.core.MigrationStatus;
import io.vmha.core.Ownership;
import io.vmha.core.VmState;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code vmha vm migrate VM [--to HOST] [--wait]} and {@code vmha vm migrate --cancel VM}: writes a request the
 * master acts on, then (with --wait) follows it through the owner record and the two hosts' published status.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Live-migrate a running VM through the pool's TLS tunnel, or cancel its migration.",
                "The master picks the target (or takes --to), the VM keeps running on its host until the move commits;"
                        + " on any failure it stays where it was."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:requested (or, with --wait: committed / cancelled)", "1:refused, aborted or timed out",
                "2:bad input", "3:ZooKeeper unreachable"})
final class VmMigrateCommand implements Callable<Integer> {
    @Mixin PoolOptions pool;
    @Parameters(index = "0", paramLabel = "VM") String vm;
    @Option(names = "--to", paramLabel = "HOST", description = "Target host (default: placement chooses).") String to;
    @Option(names = "--cancel", description = "Cancel the VM's migration under way.") boolean cancel;
    @Option(names = "--wait", description = "Follow the migration until it commits, aborts or --timeout passes.") boolean await;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", description = "With --wait (default: ${DEFAULT-VALUE}).") long timeoutSeconds;
    @Option(names = "--bandwidth-mib", paramLabel = "MIB_PER_S", defaultValue = "0", description = "Cap the stream (default: the pool's).") long bandwidthMib;
    @Option(names = "--max-downtime-ms", paramLabel = "MS", defaultValue = "0", description = "Longest switch-over pause (default: the pool's).") long maxDowntimeMs;
    @Option(names = "--json", description = "Print the outcome as JSON.") boolean json;

    @Override public Integer call() throws Exception {
        if (timeoutSeconds < 1) throw new io.vmha.core.InvalidInputException("--timeout", timeoutSeconds, "seconds >= 1");
        if (bandwidthMib < 0) throw new io.vmha.core.InvalidInputException("--bandwidth-mib", bandwidthMib, "MiB/s >= 0 (0: the pool's default)");
        String id = "c" + Long.toString(System.currentTimeMillis(), 36) + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        MigrationRequest request = new MigrationRequest(vm, id, cancel ? "" : to, bandwidthMib << 20, maxDowntimeMs, cancel, "cli@" + hostName());
        if (cancel && to != null) throw new io.vmha.core.InvalidInputException("--to", to, "no --to with --cancel");
        try (CuratorFramework client = pool.connect()) {
            PoolAdmin admin = new PoolAdmin(client, pool.pool);
            long since = System.currentTimeMillis();
            Ownership before = admin.status().ownerMap().get(vm);
            admin.requestMigration(request);
            if (!await) {
                print(Map.of("vm", vm, "id", id, "result", "requested"), (cancel ? "cancel of vm " + vm + "'s migration" : "migration "
                        + id + " of vm " + vm + (to == null ? "" : " to " + to)) + " requested; follow it with: vmha status");
                return 0;
            }
            return follow(admin, before, id, since);
        }
    }

    private int follow(PoolAdmin admin, Ownership before, String id, long since) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        long started = System.nanoTime();
        String lastLine = "";
        long lastBytes = -1;
        long lastAt = 0;
        while (System.nanoTime() < deadline) {
            PoolAdmin.PoolStatus s = admin.status();
            Ownership o = s.ownerMap().get(vm);
            boolean pending = admin.pendingRequest(vm).isPresent();
            if (cancel) {
                if (!pending) return outcome(o != null && o.state() != VmState.MIGRATING ? "cancelled" : "refused",
                        o == null ? "no record" : o.state() + " on " + o.host() + ": " + o.reason(), o, started, admin, id, since);
            } else if (o != null && o.migration() != null && o.migration().id().equals(id) && o.state() != VmState.MIGRATING) {
                if (o.state() == VmState.RUNNING) return outcome("committed", o.reason(), o, started, admin, id, since);
            } else if (o != null && o.state() == VmState.MIGRATING && o.migration().id().equals(id)) {
                Optional<MigrationStatus> src = MigrationProgress.sourceStatus(s, o);
                String line = MigrationProgress.line(s, o);
                if (src.isPresent() && src.get().totalBytes() > 0) {
                    long now = System.nanoTime();
                    long bytes = src.get().transferredBytes();
                    if (lastBytes >= 0 && bytes > lastBytes) {
                        double rate = (bytes - lastBytes) / ((now - lastAt) / 1e9);
                        line += String.format(", %.0f MiB/s, ETA %.0f s", rate / (1 << 20), Math.max(0, src.get().totalBytes() - bytes) / rate);
                    }
                    if (bytes != lastBytes) { lastBytes = bytes; lastAt = now; }
                }
                if (!line.equals(lastLine) && !json) System.out.println(line);
                lastLine = line;
            } else if (o != null && o.reason().startsWith("migration " + id + " ")) {
                return outcome("aborted", o.reason(), o, started, admin, id, since);
            } else if (!pending) {
                return outcome("refused", refusal(admin, id, since), o, started, admin, id, since);
            }
            Thread.sleep(250);
        }
        print(Map.of("vm", vm, "id", id, "result", "timeout"), "migration " + id + " of vm " + vm + " not finished after "
                + timeoutSeconds + " s; follow it with: vmha status");
        return Main.FAILED;
    }

    private int outcome(String result, String reason, Ownership o, long started, PoolAdmin admin, String id, long since) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vm", vm);
        out.put("id", id);
        out.put("result", result);
        if (o != null) {
            out.put("host", o.host());
            out.put("state", o.state().name());
            out.put("epoch", o.epoch());
        }
        out.put("seconds", Math.round((System.nanoTime() - started) / 1e6) / 1000.0);
        out.put("reason", reason);
        print(out, "migration " + id + " of vm " + vm + ": " + result + (o == null ? "" : " (" + o.state() + " on " + o.host()
                + " at epoch " + o.epoch() + ")") + ": " + reason);
        return result.equals("committed") || result.equals("cancelled") ? 0 : Main.FAILED;
    }

    /** The master's reason for deleting the request unexecuted, from the audit log. */
    private String refusal(PoolAdmin admin, String id, long since) throws Exception {
        for (PoolEvent e : admin.events(since - 5_000)) {
            if (e.message().contains(" " + id + " ") && e.message().contains("refused")) return e.message();
        }
        return "the master took the request but did not start it (see: vmha events)";
    }

    private void print(Map<String, ?> machine, String human) {
        System.out.println(json ? Json.write(machine) : human);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
