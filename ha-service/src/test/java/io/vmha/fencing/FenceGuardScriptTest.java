package io.vmha.fencing;

import static io.vmha.fencing.GuardTestSupport.awaitAllDead;
import static io.vmha.fencing.GuardTestSupport.feedLine;
import static io.vmha.fencing.GuardTestSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard script's protocol with real processes. Timing bounds: the guard reads a monotonic clock with
 * 10 ms resolution and wakes at the deadline, so a kill comes 0-~20 ms after it on an idle machine; the
 * tests allow 300 ms for a loaded CI box, and check nothing dies before deadline - 20 ms.
 */
class FenceGuardScriptTest {
    @TempDir Path dir;
    final GuardTestSupport s = new GuardTestSupport();

    @AfterEach
    void killAll() throws InterruptedException {
        s.killAll();
    }

    private Path log() {
        return dir.resolve("guard.log");
    }

    private String logText() throws Exception {
        return Files.exists(log()) ? Files.readString(log()) : "";
    }

    @Test
    void fedOnceThenSilent_killsTheVmsRightAfterTheDeadline() throws Exception {
        Process guard = s.guard(dir, log());
        List<Process> vms = List.of(s.vm(), s.vm(), s.vm());
        long t0 = System.nanoTime();
        send(guard, feedLine(500, vms));
        Thread.sleep(400);
        for (Process vm : vms) assertTrue(vm.isAlive(), "killed before the deadline");
        assertTrue(awaitAllDead(vms, 1_000), "VMs still alive 1.4 s after a 500 ms feed; log: " + logText());
        List<Long> after = new ArrayList<>();
        for (Process vm : vms) after.add(s.diedAfterMs(vm, t0));
        System.out.println("[fence-guard] feed 500 ms, VMs died at " + after + " ms after the feed; log: " + logText().strip());
        for (long ms : after) {
            assertTrue(ms >= 480, "died " + ms + " ms after a 500 ms feed");
            assertTrue(ms <= 800, "died " + ms + " ms after a 500 ms feed (bound 500 + 300)");
        }
        assertTrue(logText().contains("fence-guard h1: deadline passed by "), logText());
        assertTrue(guard.isAlive(), "the guard keeps running after firing");
    }

    @Test
    void fedEvery100msWith500_killsNothing() throws Exception {
        Process guard = s.guard(dir, log());
        List<Process> vms = List.of(s.vm(), s.vm());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end) {
            send(guard, feedLine(500, vms));
            Thread.sleep(100);
        }
        send(guard, "stop");
        assertTrue(guard.waitFor(1, TimeUnit.SECONDS));
        Thread.sleep(600); // past the last feed's deadline
        for (Process vm : vms) assertTrue(vm.isAlive(), "killed while fed; log: " + logText());
        assertFalse(logText().contains("deadline passed"), logText());
    }

    @Test
    void aPidWithoutTheMarkerIsNeverKilled() throws Exception {
        Process guard = s.guard(dir, log());
        Process vm = s.vm();
        Process other = s.unmarked();
        send(guard, feedLine(200, List.of(vm, other)));
        assertTrue(awaitAllDead(List.of(vm), 1_000), logText());
        Thread.sleep(300);
        assertTrue(other.isAlive(), "a pid without the marker was killed");
        assertTrue(logText().contains("killed pids " + vm.pid() + "; not killed (gone or no marker): " + other.pid()),
                logText());
        assertTrue(guard.isAlive());
    }

    @Test
    void aSigstoppedFeederDoesNotStopTheGuardFromFiring() throws Exception {
        List<Process> vms = List.of(s.vm(), s.vm());
        String pids = vms.stream().map(p -> Long.toString(p.pid())).collect(Collectors.joining(" "));
        // The feeder: a separate bash process writing "feed 500 <pids>" every 100 ms into the guard's stdin.
        ProcessBuilder feeder = new ProcessBuilder("bash", "-c",
                "exec {t}<> <(:); while :; do echo \"feed 500 $*\"; read -r -t 0.1 -u \"$t\" _; done",
                "vmha-test-feeder", pids)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(log().toFile()));
        List<String> guardCmd = FenceGuard.command(FenceGuard.extractScript(dir), "h1", GuardTestSupport.MARKER, false, 50);
        ProcessBuilder guardPb = new ProcessBuilder(guardCmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(log().toFile()));
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(feeder, guardPb));
        Process feederProc = s.track(pipeline.get(0));
        Process guard = s.track(pipeline.get(1));

        Thread.sleep(1_500); // fed for well past several deadlines
        for (Process vm : vms) assertTrue(vm.isAlive(), "killed while fed; log: " + logText());

        GuardTestSupport.signal(feederProc.pid(), "STOP");
        long stopped = System.nanoTime();
        try {
            assertTrue(awaitAllDead(vms, 1_500), "VMs alive 1.5 s after the feeder froze; log: " + logText());
            List<Long> after = new ArrayList<>();
            for (Process vm : vms) after.add(s.diedAfterMs(vm, stopped));
            System.out.println("[fence-guard] feeder SIGSTOPped, VMs died " + after + " ms later (last feed <= 100 ms before)");
            for (long ms : after) {
                // No lower bound here: when the feeder last fed before the freeze is not observable (a
                // loaded box may delay it); "not before the deadline" is asserted by the fed-once tests.
                assertTrue(ms <= 800, "died " + ms + " ms after the feeder stopped (bound 500 + 300)");
            }
            assertTrue(feederProc.isAlive(), "the feeder is only stopped");
            assertTrue(guard.isAlive(), "the guard keeps running after firing");
        } finally {
            GuardTestSupport.signal(feederProc.pid(), "CONT");
        }
        Thread.sleep(300); // the feeder resumes; the guard re-arms; nothing left to kill
        assertTrue(guard.isAlive());
        feederProc.destroyForcibly(); // end of the guard's stdin: it fires at the deadline and exits
        assertTrue(guard.waitFor(1_500, TimeUnit.MILLISECONDS), logText());
        assertEquals(3, guard.exitValue());
    }

    @Test
    void endOfStdin_firesAtTheDeadlineThenExits() throws Exception {
        Process guard = s.guard(dir, log());
        List<Process> vms = List.of(s.vm());
        long t0 = System.nanoTime();
        send(guard, feedLine(500, vms));
        guard.getOutputStream().close(); // the daemon died
        Thread.sleep(400);
        assertTrue(vms.get(0).isAlive(), "end of stdin must not fire early");
        assertTrue(guard.isAlive(), "end of stdin must not end the guard before the deadline");
        assertTrue(awaitAllDead(vms, 1_000), logText());
        long died = s.diedAfterMs(vms.get(0), t0);
        System.out.println("[fence-guard] stdin closed, VM died " + died + " ms after the 500 ms feed");
        assertTrue(died >= 480 && died <= 800, "died after " + died + " ms");
        assertTrue(guard.waitFor(300, TimeUnit.MILLISECONDS), "guard still running after firing on EOF");
        assertEquals(3, guard.exitValue());
        assertTrue(logText().contains("stdin closed (daemon gone); deadline not extended"), logText());
    }

    @Test
    void endOfStdinUnarmed_exitsAtOnce() throws Exception {
        Process guard = s.guard(dir, log());
        guard.getOutputStream().close();
        assertTrue(guard.waitFor(500, TimeUnit.MILLISECONDS));
        assertEquals(3, guard.exitValue());
    }

    @Test
    void stop_exitsWithoutKilling() throws Exception {
        Process guard = s.guard(dir, log());
        List<Process> vms = List.of(s.vm(), s.vm());
        send(guard, feedLine(300, vms));
        long t0 = System.nanoTime();
        send(guard, "stop");
        assertTrue(guard.waitFor(300, TimeUnit.MILLISECONDS), "stop took too long");
        assertEquals(0, guard.exitValue());
        System.out.println("[fence-guard] stop -> exit in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
        Thread.sleep(600);
        for (Process vm : vms) assertTrue(vm.isAlive(), "stop killed a VM");
        assertFalse(logText().contains("deadline passed"), logText());
    }

    @Test
    void afterFiring_aNewFeedReArms() throws Exception {
        Process guard = s.guard(dir, log());
        Process first = s.vm();
        send(guard, feedLine(200, List.of(first)));
        assertTrue(awaitAllDead(List.of(first), 800), logText());

        Process second = s.vm();
        long t0 = System.nanoTime();
        send(guard, feedLine(300, List.of(second)));
        Thread.sleep(200);
        assertTrue(second.isAlive(), "re-armed guard fired early");
        assertTrue(awaitAllDead(List.of(second), 800), logText());
        long died = s.diedAfterMs(second, t0);
        assertTrue(died >= 280 && died <= 600, "second VM died " + died + " ms after a 300 ms feed");
        assertEquals(2, logText().lines().filter(l -> l.contains("deadline passed")).count(), logText());
        assertTrue(guard.isAlive());
    }

    @Test
    void malformedLinesNeverExtendTheDeadline() throws Exception {
        Process guard = s.guard(dir, log());
        Process vm = s.vm();
        long t0 = System.nanoTime();
        send(guard, feedLine(300, List.of(vm)));
        Thread.sleep(150);
        send(guard, "feed");
        send(guard, "feed 99999999999 " + vm.pid()); // 11 digits: refused
        send(guard, "feed -5 " + vm.pid());
        send(guard, "feed 5000 12x");
        send(guard, "reboot");
        assertTrue(awaitAllDead(List.of(vm), 800), logText());
        assertTrue(s.diedAfterMs(vm, t0) <= 600);
        assertEquals(5, logText().lines().filter(l -> l.contains("ignored")).count(), logText());
    }

    @Test
    void aFeedSplitAcrossWritesIsReadWhole() throws Exception {
        Process guard = s.guard(dir, log());
        Process vm = s.vm();
        var out = guard.getOutputStream();
        out.write("feed 30".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(120); // longer than a check period: the guard times out mid-line
        long t0 = System.nanoTime();
        out.write(("0 " + vm.pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertTrue(awaitAllDead(List.of(vm), 1_000), logText());
        long died = s.diedAfterMs(vm, t0);
        assertTrue(died >= 280 && died <= 600, "died " + died + " ms after completing 'feed 300'");
        assertFalse(logText().contains("ignored"), logText());
    }

    @Test
    void badArgumentsAreRefusedWithAReason() throws Exception {
        Path script = FenceGuard.extractScript(dir);
        assertRefused(List.of("bash", script.toString(), "--marker", "vmha-sim-vm"), "--host NAME is required");
        assertRefused(List.of("bash", script.toString(), "--host", "h"), "--marker STR is required");
        assertRefused(List.of("bash", script.toString(), "--host", "h", "--marker", "vm"), "too short");
        assertRefused(List.of("bash", script.toString(), "--host", "h", "--marker", "vmha-sim-vm", "--check-ms", "5"),
                "between 10 and 1000");
        assertRefused(List.of("bash", script.toString(), "--host", "h", "--marker", "vmha-sim-vm", "--bogus"),
                "unknown argument '--bogus'");
        assertRefused(List.of("bash", script.toString(), "--host"), "--host needs a value");
    }

    private void assertRefused(List<String> cmd, String reason) throws Exception {
        Process p = s.track(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        String out;
        try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out = r.lines().collect(Collectors.joining("\n"));
        }
        assertTrue(p.waitFor(2, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains(reason), out);
        assertTrue(out.contains("usage:"), out);
    }

    @Test
    void theScriptIsExtractedWithMode0700() throws Exception {
        Path script = FenceGuard.extractScript(dir);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(script)));
    }
}
