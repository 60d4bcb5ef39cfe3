package io.vmha.demo;

import io.vmha.checker.DoubleRunChecker;
import io.vmha.coordination.PoolAdmin;
import io.vmha.core.GuestHeartbeat;
import io.vmha.core.Ownership;
import io.vmha.core.Sensitivity;
import io.vmha.core.VmHealth;
import io.vmha.core.VmState;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code vmha demo --scenario guest-hang}: SIGSTOP of sim VM processes (a hung guest: its loop stops writing
 * and the sim driver's guest ping gets no answer). Each must be reset in place by its own host, with no help
 * from the master: a new instance of the same VM on the same host under the same epoch, within the failure
 * interval plus {@link #SLACK_MILLIS}. Nothing is SIGCONTed: the reset kills the stopped process.
 */
final class GuestHang {
    static final int FAILURE_SECONDS = 2;
    static final long PING_INTERVAL_MILLIS = 500;
    /** Ping interval, loop wake-up, the reset itself and a loaded 2-core machine. */
    static final long SLACK_MILLIS = 3000;
    /** What every demo VM gets in this scenario: a fast heartbeat, 1 s minimum uptime, 3 resets per hour. */
    static final VmHealth HEALTH = new VmHealth(new GuestHeartbeat(true, Sensitivity.HIGH, FAILURE_SECONDS, 1, 3, 3600,
            PING_INTERVAL_MILLIS), List.of(), null);

    /** One hung VM: where it ran, under which epoch, as which instance. */
    record Victim(String vm, String host, long epoch, String instance, long pid) {}

    private final DemoPool pool;
    private final Random random;
    private final PrintStream out;
    private final long timeoutMillis;
    private final List<Victim> victims = new ArrayList<>();

    GuestHang(DemoPool pool, Random random, PrintStream out, long timeoutMillis) {
        this.pool = pool;
        this.random = random;
        this.out = out;
        this.timeoutMillis = timeoutMillis;
    }

    Fault run(int count, Map<String, Boolean> checks) throws Exception {
        PoolAdmin.PoolStatus s = pool.status();
        List<String> names = new ArrayList<>(s.vmMap().keySet());
        Collections.shuffle(names, random);
        SortedMap<String, Long> affected = new TreeMap<>();
        for (String vm : names.subList(0, count)) {
            Ownership o = s.ownerMap().get(vm);
            victims.add(new Victim(vm, o.host(), o.epoch(), o.instance(), Scenarios.simPid(pool.host(o.host()).stateDir, vm)));
            affected.put(vm, o.epoch());
        }
        long at = Scenarios.nowMicros();
        for (Victim v : victims) {
            new ProcessBuilder("kill", "-STOP", Long.toString(v.pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        }
        out.println("fault: SIGSTOP of the guests of " + affected.keySet() + " (failure interval " + FAILURE_SECONDS + " s)");
        boolean inPlace = pool.await("resets in place", this::allResetInPlace, timeoutMillis);
        out.println(inPlace ? "reset in place: " + StatusLine.of(pool.status())
                : "NOT reset in place within " + timeoutMillis / 1000 + " s: " + StatusLine.of(pool.status()));
        checks.put("reset_in_place_same_host_same_epoch", inPlace);
        return new Fault("SIGSTOP of the guests of " + affected.keySet(), at, affected);
    }

    /** Every victim runs again as a new instance on its host at its epoch. */
    private boolean allResetInPlace(PoolAdmin.PoolStatus s) {
        Map<String, Ownership> owners = s.ownerMap();
        for (Victim v : victims) {
            Ownership o = owners.get(v.vm());
            if (o == null || o.state() != VmState.RUNNING || !o.host().equals(v.host()) || o.epoch() != v.epoch()
                    || o.instance().equals(v.instance())) {
                return false;
            }
        }
        return true;
    }

    /**
     * From the disks: each victim's first write by a new instance came within the failure interval plus slack,
     * and that instance's id names the same host and epoch (ids are {@code <host>.e<epoch>.<stamp>}).
     */
    void judge(Fault fault, DoubleRunChecker.Result check, Map<String, Boolean> checks) {
        boolean inTime = true;
        for (Victim v : victims) {
            OptionalLong first = check.firstWriteOfInstanceStartedAfter(v.vm(), fault.atMicros());
            long limitMicros = (FAILURE_SECONDS * 1000L + SLACK_MILLIS) * 1000;
            if (first.isEmpty() || first.getAsLong() - fault.atMicros() > limitMicros) inTime = false;
        }
        checks.put("reset_within_failure_plus_slack", inTime);
    }
}
