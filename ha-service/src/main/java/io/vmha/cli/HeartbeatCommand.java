package io.vmha.cli;

import io.vmha.agent.SystemClock;
import io.vmha.heartbeat.HeartbeatAdmin;
import io.vmha.heartbeat.HeartbeatFormat;
import io.vmha.heartbeat.HeartbeatHeader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code vmha heartbeat init|dump}: format and inspect the shared heartbeat device, like {@code sbd create|dump}. */
@Command(name = "heartbeat", mixinStandardHelpOptions = true,
        description = "Format and inspect the shared-disk heartbeat device.",
        subcommands = {HeartbeatCommand.Init.class, HeartbeatCommand.Dump.class})
final class HeartbeatCommand {
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Format a device (or create and format a file) with a header and one slot and mailbox per host. "
                    + "Refuses a device that already holds a heartbeat header or other data unless --force is given.")
    static final class Init implements Callable<Integer> {
        @Option(names = "--device", required = true, paramLabel = "PATH", description = "Block device or file.") Path device;
        @Option(names = "--slots", required = true, paramLabel = "N", description = "Number of host slots (1 to 255).") int slots;
        @Option(names = "--pool", defaultValue = "${env:VMHA_POOL:-demo}",
                description = "Pool name (default: $VMHA_POOL or ${DEFAULT-VALUE}).") String pool;
        @Option(names = "--interval-ms", defaultValue = "1000", description = "Write interval (default: ${DEFAULT-VALUE}).") long intervalMs;
        @Option(names = "--timeout-ms", defaultValue = "5000", description = "A slot not advancing this long is stale (default: ${DEFAULT-VALUE}).") long timeoutMs;
        @Option(names = "--force", description = "Overwrite a device that holds a heartbeat header (of any pool) or other data.") boolean force;

        @Override public Integer call() throws Exception {
            HeartbeatHeader h = new HeartbeatAdmin(new SystemClock()).init(device, pool, slots, intervalMs, timeoutMs, force);
            System.out.println("formatted " + device + " for pool " + h.pool() + ": " + h.slotCount() + " slots, sector size "
                    + h.sectorSize() + ", interval " + h.intervalMillis() + " ms, timeout " + h.timeoutMillis() + " ms, "
                    + HeartbeatFormat.deviceBytes(h.slotCount()) + " bytes");
            return 0;
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Show the header and every slot: host, incarnation, sequence, ZooKeeper view, fence state, VMs and mailbox.")
    static final class Dump implements Callable<Integer> {
        @Option(names = "--device", required = true, paramLabel = "PATH", description = "Block device or file.") Path device;
        @Option(names = "--json", description = "Print JSON.") boolean json;
        @Option(names = "--observe-ms", defaultValue = "0", paramLabel = "MS",
                description = "Read the slots twice this far apart and show which are advancing (default: ${DEFAULT-VALUE}: once).")
        long observeMs;

        @Override public Integer call() throws Exception {
            HeartbeatAdmin.Dump d = new HeartbeatAdmin(new SystemClock()).dump(device, observeMs);
            System.out.print(json ? Json.write(d) + "\n" : render(d));
            return 0;
        }
    }

    static String render(HeartbeatAdmin.Dump d) {
        StringBuilder out = new StringBuilder();
        out.append("device ").append(d.device()).append(d.blockDevice() ? " (block device" : " (file").append(", sector size ")
                .append(d.sectorSize()).append(")\n");
        HeartbeatHeader h = d.header();
        if (h == null) {
            out.append("header ").append(d.headerStatus()).append(d.headerProblem().isEmpty() ? "" : ": " + d.headerProblem()).append('\n');
        } else {
            out.append("header pool ").append(h.pool()).append(", ").append(h.slotCount()).append(" slots, interval ")
                    .append(h.intervalMillis()).append(" ms, timeout ").append(h.timeoutMillis()).append(" ms, sector size ")
                    .append(h.sectorSize()).append(", created ").append(Instant.ofEpochMilli(h.createdWallMillis())).append('\n');
        }
        out.append(String.format("%n%4s %-8s %-16s %13s %10s %-9s %-18s %9s %-7s %5s %-4s  %s%n", "SLOT", "STATUS", "HOST",
                "INCARNATION", "SEQUENCE", "ZK", "ZK_SESSION", "ZK_AGE_MS", "FENCE", "VMS", "ADV", "MAILBOX"));
        for (HeartbeatAdmin.SlotDump s : d.slots()) {
            if (!"VALID".equals(s.status())) {
                out.append(String.format("%4d %-8s %s%n", s.index(), s.status(),
                        (s.problem().isEmpty() ? "" : s.problem() + "   ") + "mailbox: " + s.mailbox()));
                continue;
            }
            out.append(String.format("%4d %-8s %-16s %13d %10d %-9s %-18s %9d %-7s %5s %-4s  %s%n", s.index(), s.status(), s.host(),
                    s.incarnation(), s.sequence(), s.zk(), s.zkSessionId(), s.msSinceZkContact(), s.fence(),
                    s.vms() + (s.truncated() ? "+" : ""), s.advancing() == null ? "-" : s.advancing() ? "yes" : "no", s.mailbox()));
        }
        return out.toString();
    }
}
