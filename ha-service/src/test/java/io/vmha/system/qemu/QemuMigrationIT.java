package io.vmha.system.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.checker.DoubleRunChecker;
import io.vmha.checker.ProcessCensus;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.LiveMigration;
import io.vmha.core.port.LocalVm;
import io.vmha.core.port.MigrationOptions;
import io.vmha.core.port.OutgoingVm;
import io.vmha.hypervisor.qemu.QemuCommand;
import io.vmha.hypervisor.qemu.QemuExecutionProbe;
import io.vmha.hypervisor.qemu.QemuHypervisor;
import io.vmha.hypervisor.qemu.QmpClient;
import io.vmha.hypervisor.sim.SimTestSupport;
import io.vmha.system.SystemTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.vmha.hypervisor.sim.SimTestSupport.scaled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Live migration between two qemu drivers ("hosts" h1 and h2, each with its own run directory) on real qemu (TCG,
 * 64 MiB diskless guests at SeaBIOS). No tunnel: the target's loopback port is handed to the source directly. qemu's
 * run state is read over each instance's census socket ({@code <vm>.chk}), not through the drivers. A slow stream
 * (cancel, kills mid-way) is made with a 64 KiB/s cap: the ~550 KB such a guest sends then take about 8 s.
 */
class QemuMigrationIT {
    static final MigrationOptions SLOW = new MigrationOptions(64 * 1024, 0);
    static Path base;
    static final List<String> leaks = new ArrayList<>();
    static int counter;

    final SimTestSupport.RecordingJournal journal = new SimTestSupport.RecordingJournal();
    final List<QemuHypervisor> drivers = new ArrayList<>();
    Path dir;
    QemuHypervisor a;
    QemuHypervisor b;
    LiveMigration source;
    LiveMigration target;

    @BeforeAll
    static void tools() throws IOException {
        SystemTools.require("qemu-system-x86_64", "qemu-system-x86");
        SystemTools.require("setsid", "util-linux");
        base = Files.createTempDirectory(Path.of("/tmp"), "vm");
    }

    @BeforeEach
    void hosts() {
        dir = base.resolve("t" + ++counter);
        a = driver("h1", dir.resolve("a"));
        b = driver("h2", dir.resolve("b"));
        source = a.migration().orElseThrow();
        target = b.migration().orElseThrow();
    }

    QemuHypervisor driver(String host, Path runDir) {
        QemuHypervisor h = new QemuHypervisor(host, new io.vmha.hypervisor.qemu.QemuConfig("qemu-system-x86_64", runDir, 2_000, 20_000),
                journal, () -> { });
        drivers.add(h);
        return h;
    }

    @AfterEach
    void cleanUp() {
        drivers.forEach(QemuHypervisor::close);
        List<ProcessHandle> left = QemuHypervisorIT.processesMentioning(dir.toString());
        for (ProcessHandle p : left) leaks.add(p.pid() + " " + SimTestSupport.cmdline(p.pid()));
        QemuHypervisorIT.killAll(left);
    }

    @AfterAll
    static void noQemuLeftBehind() throws IOException {
        List<ProcessHandle> left = QemuHypervisorIT.processesMentioning(base.toString());
        QemuHypervisorIT.killAll(left);
        try (var files = Files.walk(base)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertTrue(leaks.isEmpty() && left.isEmpty(), "qemu processes left behind by tests: " + leaks + " " + left);
    }

    // ---- tests ---------------------------------------------------------------------------------------

    @Test
    void migrateTheTargetStaysPausedUntilActivatedTheSourceUntilStopped() throws Exception {
        Path disks = dir.resolve("census");
        String mine = dir + "/";
        try (ProcessCensus census = new ProcessCensus(disks, QemuCommand.MARKER,
                argv -> argv.stream().anyMatch(x -> x.contains(mine)) ? QemuCommand.identify(argv) : java.util.Optional.empty(),
                new QemuExecutionProbe(), 20).start()) {
            LocalVm before = a.start(QemuHypervisorIT.spec("vm1"), 7);
            long sourcePid = QemuHypervisorIT.pidOf(a);
            int port = target.prepareIncoming(QemuHypervisorIT.spec("vm1"), 8, "m1");
            assertEquals(Map.of("vm1", new IncomingVm("vm1", "m1", 8, IncomingVm.Phase.WAITING, "")), target.incoming());
            assertEquals(Map.of(), b.instances(), "not a VM of h2 before activation");
            long targetPid = QemuHypervisorIT.pidOf(b);

            long t0 = System.nanoTime();
            source.startOutgoing("vm1", "m1", port, MigrationOptions.DEFAULT);
            OutgoingVm done = await(() -> source.outgoing().get("vm1"), o -> o.phase() != OutgoingVm.Phase.SENDING, "source done");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(OutgoingVm.Phase.COMPLETED, done.phase(), done.toString());
            assertTrue(done.transferredBytes() > 0 && done.totalBytes() >= 64L << 20, done.toString());
            await(() -> target.incoming().get("vm1"), i -> i.phase() != IncomingVm.Phase.WAITING, "target loaded");
            assertEquals(IncomingVm.Phase.LOADED, target.incoming().get("vm1").phase());
            System.out.printf("qemu live migration of a 64 MiB TCG guest h1 -> h2: %d ms to COMPLETED (%d bytes sent); %s%n",
                    millis, done.transferredBytes(), journal.lines.stream().filter(l -> l.contains("COMPLETED in")).findFirst().orElse(""));

            // The safety rule, as the census sees it (it holds the census sockets and asks qemu itself): neither
            // copy executes guest code now, and that stays so.
            Thread.sleep(500);
            long sample = census.samples();
            Thread.sleep(300);
            assertTrue(census.samples() > sample + 5, "the census samples");
            String targetInstance = "h2.e8.";
            assertFalse(Files.readString(disks.resolve("vm1.disk")).contains(targetInstance), "the target never ran before activate");
            String lastSource = lastLine(disks.resolve("vm1.disk"));
            Thread.sleep(300);
            assertEquals(lastSource, lastLine(disks.resolve("vm1.disk")), "the completed source stays paused");
            assertEquals(Map.of("vm1", before), a.instances(), "the source process is still h1's instance");
            assertEquals(GuestPing.NOT_MONITORED, a.pingGuest("vm1", 100), "a paused source is no hung guest");
            assertThrows(HypervisorException.class, () -> a.reset("vm1", "would cont the completed source"));
            assertTrue(b.runningPids().contains(targetPid), "the fence guard kills an incoming instance too");
            assertThrows(HypervisorException.class, () -> source.startOutgoing("vm1", "m2", port, MigrationOptions.DEFAULT));

            LocalVm after = target.activate("vm1");
            assertEquals(new LocalVm("vm1", 8, after.instanceId(), true, ""), after);
            assertEquals(Map.of("vm1", after), b.instances());
            assertEquals(Map.of(), target.incoming());
            Thread.sleep(300);
            assertTrue(lastLine(disks.resolve("vm1.disk")).startsWith(after.instanceId() + " "), "the census sees the target run");
            assertFalse(Files.readString(dir.resolve("b/vm1.state.json")).contains("\"incoming\":true"));
            assertThrows(HypervisorException.class, () -> target.activate("vm1"), "only once");
            Thread.sleep(200);
            a.stop("vm1", "moved to h2");
            QemuHypervisorIT.awaitGone(sourcePid, 1_000);
            assertEquals(Map.of(), source.outgoing(), "a stop ends the record");
            b.reset("vm1", "the migrated guest is driven by h2 now");
            Thread.sleep(200);
            b.stop("vm1", "test");
        }
        DoubleRunChecker.Result result = DoubleRunChecker.check(disks);
        assertEquals(List.of(), result.doubleRuns(), "census: " + result.spansByVm());
        assertEquals(2, result.spansByVm().get("vm1").size(), "source then target, each seen running: " + result.spansByVm());
    }

    @Test
    void cancelMidwayTheSourceRunsTheTargetIsDiscarded() throws Exception {
        a.start(QemuHypervisorIT.spec("vm1"), 1);
        int port = target.prepareIncoming(QemuHypervisorIT.spec("vm1"), 2, "m1");
        assertEquals("inmigrate", status(dir.resolve("b"), "vm1"));
        source.startOutgoing("vm1", "m1", port, SLOW);
        OutgoingVm first = await(() -> source.outgoing().get("vm1"), o -> o.transferredBytes() > 0, "bytes sent");
        OutgoingVm later = await(() -> source.outgoing().get("vm1"), o -> o.transferredBytes() > first.transferredBytes(), "more bytes");
        System.out.printf("progress: %s then %s%n", first, later);
        assertEquals(OutgoingVm.Phase.SENDING, later.phase());
        assertTrue(later.totalBytes() >= 64L << 20 && later.remainingBytes() > 0, later.toString());
        assertEquals("running", status(dir.resolve("a"), "vm1"), "the source runs while it sends");

        source.cancelOutgoing("vm1", "operator cancel");
        OutgoingVm cancelled = await(() -> source.outgoing().get("vm1"), o -> o.phase() != OutgoingVm.Phase.SENDING, "cancelled");
        assertEquals(OutgoingVm.Phase.CANCELLED, cancelled.phase());
        assertEquals("cancelled: operator cancel", cancelled.detail());
        assertEquals("running", status(dir.resolve("a"), "vm1"));
        IncomingVm failed = await(() -> target.incoming().get("vm1"), i -> i.phase() == IncomingVm.Phase.FAILED, "target failed");
        System.out.println("target after the cancel: " + failed);
        assertThrows(HypervisorException.class, () -> target.activate("vm1"));
        target.discardIncoming("vm1", "cancelled");
        target.discardIncoming("vm1", "again"); // idempotent
        assertEquals(Map.of(), target.incoming());
        assertEquals(List.of(), b.runningPids());
        source.cancelOutgoing("vm1", "again"); // idempotent
        source.clearOutgoing("vm1");
        assertEquals(Map.of(), source.outgoing());

        // The same source migrates again, now at full speed: the old cap does not stick.
        int port2 = target.prepareIncoming(QemuHypervisorIT.spec("vm1"), 3, "m2");
        long t0 = System.nanoTime();
        source.startOutgoing("vm1", "m2", port2, MigrationOptions.DEFAULT);
        OutgoingVm done = await(() -> source.outgoing().get("vm1"), o -> o.phase() != OutgoingVm.Phase.SENDING, "second try");
        assertEquals(OutgoingVm.Phase.COMPLETED, done.phase(), done.toString());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "not capped at 64 KiB/s any more");
        a.stop("vm1", "test");
        target.discardIncoming("vm1", "test");
    }

    @Test
    void targetKilledMidStreamTheSourceFailsAndRuns() throws Exception {
        a.start(QemuHypervisorIT.spec("vm1"), 1);
        int port = target.prepareIncoming(QemuHypervisorIT.spec("vm1"), 2, "m1");
        long targetPid = QemuHypervisorIT.pidOf(b);
        source.startOutgoing("vm1", "m1", port, SLOW);
        await(() -> source.outgoing().get("vm1"), o -> o.transferredBytes() > 0, "bytes sent");
        ProcessHandle.of(targetPid).orElseThrow().destroyForcibly();
        OutgoingVm failed = await(() -> source.outgoing().get("vm1"), o -> o.phase() != OutgoingVm.Phase.SENDING, "source failed");
        System.out.println("source after the target's death: " + failed);
        assertEquals(OutgoingVm.Phase.FAILED, failed.phase());
        assertEquals("running", status(dir.resolve("a"), "vm1"), "qemu resumed the source");
        assertTrue(a.instances().get("vm1").running());
        IncomingVm dead = await(() -> target.incoming().get("vm1"), i -> i.phase() == IncomingVm.Phase.FAILED, "target failed");
        assertTrue(dead.detail().contains("killed by SIGKILL"), dead.toString());
        assertEquals(List.of(), b.runningPids());
        target.discardIncoming("vm1", "dead");
        source.clearOutgoing("vm1");
        a.stop("vm1", "test");
    }

    @Test
    void sourceKilledMidStreamTheTargetFails() throws Exception {
        a.start(QemuHypervisorIT.spec("vm1"), 1);
        long sourcePid = QemuHypervisorIT.pidOf(a);
        int port = target.prepareIncoming(QemuHypervisorIT.spec("vm1"), 2, "m1");
        source.startOutgoing("vm1", "m1", port, SLOW);
        await(() -> source.outgoing().get("vm1"), o -> o.transferredBytes() > 0, "bytes sent");
        ProcessHandle.of(sourcePid).orElseThrow().destroyForcibly();
        IncomingVm failed = await(() -> target.incoming().get("vm1"), i -> i.phase() != IncomingVm.Phase.WAITING, "target failed");
        System.out.println("target after the source's death: " + failed);
        assertEquals(IncomingVm.Phase.FAILED, failed.phase());
        LocalVm exited = await(() -> a.instances().get("vm1"), v -> !v.running(), "source exit reported");
        assertTrue(exited.exitDetail().contains("SIGKILL"), exited.toString());
        assertEquals(OutgoingVm.Phase.FAILED, source.outgoing().get("vm1").phase());
        target.discardIncoming("vm1", "source died");
        assertEquals(List.of(), b.runningPids());
        a.acknowledgeExit("vm1");
        assertEquals(Map.of(), source.outgoing(), "forgotten with the instance");
    }

    @Test
    void resumeAfterCompletedRunsTheSourceAgain() throws Exception {
        a.start(QemuHypervisorIT.spec("vm1"), 1);
        int port = target.prepareIncoming(QemuHypervisorIT.spec("vm1"), 2, "m1");
        source.startOutgoing("vm1", "m1", port, new MigrationOptions(0, 100));
        assertEquals(OutgoingVm.Phase.COMPLETED,
                await(() -> source.outgoing().get("vm1"), o -> o.phase() != OutgoingVm.Phase.SENDING, "done").phase());
        assertEquals("postmigrate", status(dir.resolve("a"), "vm1"));
        source.resumeAfterMigration("vm1");
        assertEquals("running", status(dir.resolve("a"), "vm1"));
        assertEquals(Map.of(), source.outgoing());
        a.reset("vm1", "allowed again"); // would throw while the record said COMPLETED
        await(() -> target.incoming().get("vm1"), i -> i.phase() == IncomingVm.Phase.LOADED, "target loaded");
        Thread.sleep(500);
        assertEquals("paused", status(dir.resolve("b"), "vm1"), "a loaded target stays paused");
        target.discardIncoming("vm1", "move aborted");
        assertEquals(Map.of(), target.incoming());
        a.stop("vm1", "test");
    }

    @Test
    void aRestartedDaemonAdoptsBothEndsAsTheyStand() throws Exception {
        a.start(QemuHypervisorIT.spec("vm1"), 1);
        int port = target.prepareIncoming(QemuHypervisorIT.spec("vm1"), 2, "m1");
        source.startOutgoing("vm1", "m1", port, MigrationOptions.DEFAULT);
        await(() -> target.incoming().get("vm1"), i -> i.phase() == IncomingVm.Phase.LOADED, "target loaded");
        await(() -> source.outgoing().get("vm1"), o -> o.phase() == OutgoingVm.Phase.COMPLETED, "source completed");
        a.close();
        b.close(); // both daemons restart; the qemus keep going
        QemuHypervisor a2 = driver("h1", dir.resolve("a"));
        QemuHypervisor b2 = driver("h2", dir.resolve("b"));
        assertEquals(Map.of("vm1", new IncomingVm("vm1", "m1", 2, IncomingVm.Phase.LOADED, "")), b2.migration().orElseThrow().incoming());
        assertEquals(Map.of(), b2.instances());
        assertEquals(OutgoingVm.Phase.COMPLETED, a2.migration().orElseThrow().outgoing().get("vm1").phase());
        assertEquals("paused", status(dir.resolve("b"), "vm1"), "adoption does not run the target");
        LocalVm running = b2.migration().orElseThrow().activate("vm1");
        assertTrue(running.running());
        a2.stop("vm1", "moved");
        b2.stop("vm1", "test");
    }

    // ---- helpers -------------------------------------------------------------------------------------

    static String lastLine(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** qemu's run state asked over the census socket of {@code vm} in {@code runDir}. */
    static String status(Path runDir, String vm) throws Exception {
        QmpClient.Listener ignore = new QmpClient.Listener() {
            @Override
            public void event(String name, JsonNode data) { }

            @Override
            public void closed(String reason) { }
        };
        try (QmpClient qmp = QmpClient.connect(runDir.resolve(vm + ".chk"), 2_000, ignore, "test-status")) {
            return qmp.execute("query-status", null, 2_000).path("status").asText("");
        }
    }

    static <T> T await(Supplier<T> value, java.util.function.Predicate<T> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(scaled(20_000));
        T last = null;
        while (System.nanoTime() < deadline) {
            last = value.get();
            if (last != null && done.test(last)) return last;
            Thread.sleep(20);
        }
        return fail(what + ": not within 20 s, last " + last);
    }
}
