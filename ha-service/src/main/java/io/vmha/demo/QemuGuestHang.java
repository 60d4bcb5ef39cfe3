package io.vmha.demo;

import io.vmha.checker.DoubleRunChecker;
import io.vmha.coordination.PoolAdmin;
import io.vmha.coordination.PoolEvent;
import io.vmha.core.GuestHeartbeat;
import io.vmha.core.Ownership;
import io.vmha.core.Sensitivity;
import io.vmha.core.VmHealth;
import io.vmha.core.VmState;
import io.vmha.hypervisor.qemu.GuestAgentClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * {@code vmha demo --driver qemu --scenario guest-hang}: a real hang inside real guests (the tiny guest's RT
 * busy loop, started through the guest agent's guest-exec; qemu itself keeps running and answering QMP). Each
 * hung guest must be reset in place by its own host: same host, epoch and instance, the very same qemu process
 * (qemu's system_reset), then boot afresh and answer the agent again. Latency is hang injected → the host's
 * "reset in place" pool event.
 */
final class QemuGuestHang {
    static final int FAILURE_SECONDS = 5;
    static final long PING_INTERVAL_MILLIS = 1000;
    /**
     * Longer than any boot to "ready" seen here under TCG (7–16 s alone, up to ~35 s with three guests booting at
     * once on a busy 2-core machine), so no booting guest is reset; after a reset the host waits it again.
     */
    static final int MIN_UPTIME_SECONDS = 60;
    static final VmHealth HEALTH = new VmHealth(new GuestHeartbeat(true, Sensitivity.HIGH, FAILURE_SECONDS,
            MIN_UPTIME_SECONDS, 3, 3600, PING_INTERVAL_MILLIS), List.of(), null);
    /** The guest's memory: the 8 MB kernel and the initrd need more than the diskless demo VMs' 64 MiB. */
    static final long MEMORY_MIB = 128;
    /**
     * With RT throttling off, one SCHED_FIFO 99 busy loop pinned to each vCPU starves every ordinary task, the
     * agent included; started a second later so that guest-exec's reply leaves first (system-tests/guest/README.md).
     */
    static final String HANG = "echo -1 > /proc/sys/kernel/sched_rt_runtime_us; cpus=$(nproc); "
            + "(sleep 1; c=0; while [ $c -lt $cpus ]; do taskset -c $c chrt -f 99 sh -c 'while :; do :; done' & "
            + "c=$((c + 1)); done) </dev/null >/dev/null 2>&1 &";
    private static final long AGENT_TIMEOUT_MILLIS = 10_000;
    private static final String RESET_EVENT = " reset in place";

    /** One hung VM: where it ran, as which instance and qemu process, and when its hang was injected. */
    record Victim(String vm, String host, long epoch, String instance, long pid, Path stateDir, long injectedWallMillis) {
        Path console() { return stateDir.resolve(vm + ".console"); }

        Path agent() { return stateDir.resolve(vm + ".qga"); }
    }

    private final DemoPool pool;
    private final Random random;
    private final PrintStream out;
    private final long timeoutMillis;
    private final List<Victim> victims = new ArrayList<>();
    private final List<Double> bootSeconds = new ArrayList<>();
    /** Agent sync ids only: the seeded random chooses the victims and nothing else. */
    private final Random syncIds = new Random();

    QemuGuestHang(DemoPool pool, Random random, PrintStream out, long timeoutMillis) {
        this.pool = pool;
        this.random = random;
        this.out = out;
        this.timeoutMillis = timeoutMillis;
    }

    Fault run(int count, Map<String, Boolean> checks) throws Exception {
        PoolAdmin.PoolStatus s = pool.status();
        Map<String, Long> started = awaitGuestsReady(s);
        checks.put("guests_booted", started != null);
        if (started == null) return new Fault("no hang injected: the guests did not boot", Scenarios.nowMicros(), new TreeMap<>(), true);
        List<String> names = new ArrayList<>(s.vmMap().keySet());
        Collections.shuffle(names, random);
        names = names.subList(0, count);
        // Inject only once the host judges silence: the minimum uptime has passed since the instance started.
        long judgeFrom = names.stream().mapToLong(started::get).max().orElse(0) + MIN_UPTIME_SECONDS * 1000L + 2000;
        long wait = judgeFrom - System.currentTimeMillis();
        if (wait > 0) {
            out.println("waiting " + wait / 1000 + " s for the minimum uptime (" + MIN_UPTIME_SECONDS + " s) of " + names);
            Thread.sleep(wait);
        }
        long at = Scenarios.nowMicros();
        boolean injected = true;
        for (String vm : names) {
            Ownership o = pool.status().ownerMap().get(vm);
            HostProcess host = pool.host(o.host());
            GuestAgentClient.ExecResult r = agent(host.stateDir.resolve(vm + ".qga"))
                    .exec(syncId(), "/bin/sh", List.of("-c", HANG), AGENT_TIMEOUT_MILLIS);
            injected &= r.exitCode() != null && r.exitCode() == 0;
            victims.add(new Victim(vm, o.host(), o.epoch(), o.instance(), host.vmPid(vm), host.stateDir, System.currentTimeMillis()));
        }
        checks.put("hang_injected", injected);
        out.println("fault: guest-exec of an RT busy loop per vCPU in " + names + " (the loops start 1 s later; failure interval "
                + FAILURE_SECONDS + " s)");
        boolean reset = pool.await("resets in place", st -> resetEvents().size() == victims.size(), timeoutMillis);
        out.println(reset ? "reset in place: " + StatusLine.of(pool.status())
                : "NOT reset within " + timeoutMillis / 1000 + " s: " + StatusLine.of(pool.status()));
        checks.put("reset_in_place_same_host_same_epoch", reset && sameRecord(pool.status()));
        checks.put("same_qemu_process", victims.stream().allMatch(v -> ProcessHandle.of(v.pid()).map(ProcessHandle::isAlive).orElse(false)
                && pid(v) == v.pid()));
        checks.put("guest_booted_again_and_answers_agent", reset && awaitAnswersAgain());
        return new Fault("guest-exec hang (RT busy loop) in " + names, at, new TreeMap<>(), true);
    }

    /** Every VM's console says "ready" (its qemu start times, by VM), or null on timeout. */
    private Map<String, Long> awaitGuestsReady(PoolAdmin.PoolStatus s) throws Exception {
        Map<String, Long> started = new TreeMap<>();
        Map<String, Path> consoles = new TreeMap<>();
        for (Ownership o : s.owners()) {
            HostProcess host = pool.host(o.host());
            long pid = host.vmPid(o.vm());
            started.put(o.vm(), ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()).map(Instant::toEpochMilli)
                    .orElse(System.currentTimeMillis()));
            consoles.put(o.vm(), host.stateDir.resolve(o.vm() + ".console"));
        }
        out.println("waiting for " + consoles.size() + " guests to boot (console: \"" + TinyGuestImage.READY_MARKER + "\") ...");
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        Map<String, Long> pending = new TreeMap<>(started);
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            for (String vm : new ArrayList<>(pending.keySet())) {
                if (readyCount(consoles.get(vm)) >= 1) {
                    bootSeconds.add((System.currentTimeMillis() - pending.remove(vm)) / 1000.0);
                }
            }
            Thread.sleep(200);
        }
        if (!pending.isEmpty()) {
            out.println("guests not ready within " + timeoutMillis / 1000 + " s: " + pending.keySet());
            return null;
        }
        out.println("guests ready; boot seconds (qemu start to ready): " + DemoReport.percentiles(bootSeconds));
        if (bootSeconds.stream().anyMatch(b -> b > MIN_UPTIME_SECONDS)) {
            out.println("warning: a guest took longer than the minimum uptime (" + MIN_UPTIME_SECONDS
                    + " s) to boot: its host may have reset it while booting (the machine is very loaded)");
        }
        return started;
    }

    /** After its reset each victim prints "ready" a second time, and its agent answers a ping. */
    private boolean awaitAnswersAgain() throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        for (Victim v : victims) {
            boolean answered = false;
            while (!answered && System.nanoTime() < deadline) {
                answered = readyCount(v.console()) >= 2 && agent(v.agent()).ping(syncId(), 2000).answered();
                if (!answered) Thread.sleep(500);
            }
            out.println("vm " + v.vm() + (answered ? " booted again and its guest agent answers" : " did NOT answer its agent again"));
            if (!answered) return false;
        }
        return true;
    }

    /** Same host, epoch and instance, RUNNING: the reset did not go through the master or a new process. */
    private boolean sameRecord(PoolAdmin.PoolStatus s) {
        for (Victim v : victims) {
            Ownership o = s.ownerMap().get(v.vm());
            if (o == null || o.state() != VmState.RUNNING || !o.host().equals(v.host()) || o.epoch() != v.epoch()
                    || !o.instance().equals(v.instance())) {
                out.println("vm " + v.vm() + " record changed: " + o + " (was " + v.host() + " e" + v.epoch() + " " + v.instance() + ")");
                return false;
            }
        }
        return true;
    }

    /** The first "reset in place" event of each victim since its injection, by VM. */
    private Map<String, PoolEvent> resetEvents() {
        Map<String, PoolEvent> first = new TreeMap<>();
        try {
            for (PoolEvent e : pool.admin().events(0)) {
                for (Victim v : victims) {
                    if (isResetOf(e, v.vm()) && e.wallMillis() >= v.injectedWallMillis() && e.source().equals(v.host())) {
                        first.putIfAbsent(v.vm(), e);
                    }
                }
            }
        } catch (io.vmha.core.port.CoordinationException e) {
            out.println("  cannot read the pool events: " + e.getMessage());
        }
        return first;
    }

    private static boolean isResetOf(PoolEvent e, String vm) {
        return e.message().startsWith("vm " + vm + RESET_EVENT);
    }

    /**
     * From the whole run's events and the census: one reset per victim and none of any other VM, one qemu
     * instance per VM throughout; returns the detection latencies (injection → reset event), in seconds.
     */
    List<Double> judge(List<PoolEvent> events, DoubleRunChecker.Result census, Map<String, Boolean> checks) {
        Map<String, Integer> resets = new TreeMap<>();
        for (PoolEvent e : events) {
            int at = e.message().indexOf(RESET_EVENT);
            if (e.message().startsWith("vm ") && at > 3) resets.merge(e.message().substring(3, at), 1, Integer::sum);
        }
        Map<String, Integer> expected = new TreeMap<>();
        victims.forEach(v -> expected.put(v.vm(), 1));
        if (!resets.equals(expected)) out.println("resets in place: " + resets + ", expected " + expected);
        checks.put("one_reset_per_hung_vm_and_no_other", resets.equals(expected));
        boolean oneInstance = census.spansByVm().values().stream().allMatch(spans -> spans.size() == 1);
        if (!oneInstance) out.println("qemu instances seen by the census: " + census.spansByVm());
        checks.put("one_qemu_instance_per_vm_throughout", oneInstance && !census.spansByVm().isEmpty());
        List<Double> latencies = new ArrayList<>();
        for (Victim v : victims) {
            events.stream().filter(e -> isResetOf(e, v.vm()) && e.wallMillis() >= v.injectedWallMillis()).findFirst()
                    .ifPresent(e -> latencies.add((e.wallMillis() - v.injectedWallMillis()) / 1000.0));
        }
        return latencies;
    }

    /** Boot times of the guests before the fault (qemu start to "ready"), for the report. */
    List<Double> bootSeconds() { return bootSeconds; }

    private long pid(Victim v) {
        try {
            return Long.parseLong(Files.readString(v.stateDir().resolve(v.vm() + ".pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static int readyCount(Path console) throws IOException {
        String text;
        try {
            text = Files.readString(console, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return 0;
        }
        int n = 0;
        for (int i = text.indexOf(TinyGuestImage.READY_MARKER); i >= 0; i = text.indexOf(TinyGuestImage.READY_MARKER, i + 1)) n++;
        return n;
    }

    private static GuestAgentClient agent(Path socket) {
        return new GuestAgentClient(socket, 1 << 16);
    }

    private long syncId() {
        return 1 + (syncIds.nextLong() >>> 12); // positive and exact as a JSON double
    }
}
