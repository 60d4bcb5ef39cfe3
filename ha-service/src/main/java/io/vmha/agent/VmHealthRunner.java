package io.vmha.agent;

import io.vmha.core.HealthProbe;
import io.vmha.core.HealthResult;
import io.vmha.core.HealthTarget;
import io.vmha.core.port.Clock;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.HealthChecks;
import io.vmha.core.port.Hypervisor;
import io.vmha.health.ProbeCheck;
import io.vmha.health.ProbeOutcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs guest pings ({@link Hypervisor#pingGuest}) and application probes on a small scheduled pool, never on
 * the decision loop: a hung guest agent or a slow probe only delays the other checks, never a step. Results
 * queue until the loop's next step drains them; a result that may call for action (no answer, a panic, a
 * failed probe) also wakes the loop, so detection does not wait for the loop interval. Good results do not
 * wake it: they change nothing until a deadline, and the loop's own interval covers them.
 * Lifecycle: created running; {@link #close()} is idempotent.
 */
final class VmHealthRunner implements HealthChecks, AutoCloseable {
    private static final int THREADS = 3;
    private static final long MAX_PING_TIMEOUT_MILLIS = 5000;

    private final Hypervisor hypervisor;
    private final Clock clock;
    private final Runnable wakeup;
    private final ScheduledThreadPoolExecutor pool;
    private final ConcurrentLinkedQueue<HealthResult> results = new ConcurrentLinkedQueue<>();
    /** Guarded by this: the targets being checked and their scheduled tasks. */
    private final SortedMap<String, HealthTarget> targets = new TreeMap<>();
    private final Map<String, List<ScheduledFuture<?>>> tasks = new TreeMap<>();
    private boolean closed;

    VmHealthRunner(String host, Hypervisor hypervisor, Clock clock, Runnable wakeup) {
        this.hypervisor = hypervisor;
        this.clock = clock;
        this.wakeup = wakeup;
        this.pool = new ScheduledThreadPoolExecutor(THREADS, r -> {
            Thread t = new Thread(r, "vmha-health-" + host);
            t.setDaemon(true);
            return t;
        });
        pool.setRemoveOnCancelPolicy(true);
    }

    @Override public synchronized void watch(SortedMap<String, HealthTarget> wanted) {
        if (closed) return;
        for (String vm : new ArrayList<>(targets.keySet())) {
            if (!targets.get(vm).equals(wanted.get(vm))) {
                targets.remove(vm);
                tasks.remove(vm).forEach(f -> f.cancel(true));
            }
        }
        for (HealthTarget t : wanted.values()) {
            if (targets.containsKey(t.vm())) continue;
            targets.put(t.vm(), t);
            List<ScheduledFuture<?>> scheduled = new ArrayList<>();
            long every = t.health().guestHeartbeat().pingIntervalMillis();
            if (t.health().guestHeartbeat().enabled()) {
                scheduled.add(pool.scheduleWithFixedDelay(() -> ping(t, Math.min(every, MAX_PING_TIMEOUT_MILLIS)),
                        every, every, TimeUnit.MILLISECONDS));
            }
            List<HealthProbe> probes = t.health().probes();
            for (int i = 0; i < probes.size(); i++) {
                int index = i;
                ProbeCheck check = ProbeCheck.of(probes.get(i));
                long interval = probes.get(i).intervalSeconds() * 1000L;
                scheduled.add(pool.scheduleWithFixedDelay(() -> probe(t, index, check), interval, interval,
                        TimeUnit.MILLISECONDS));
            }
            tasks.put(t.vm(), scheduled);
        }
    }

    @Override public List<HealthResult> drain() {
        List<HealthResult> out = new ArrayList<>();
        for (HealthResult r; (r = results.poll()) != null; ) out.add(r);
        return out;
    }

    private void ping(HealthTarget t, long timeoutMillis) {
        GuestPing answer = hypervisor.pingGuest(t.vm(), timeoutMillis);
        deliver(new HealthResult.Guest(t.vm(), t.instanceId(), answer, clock.monotonicMillis()), answer != GuestPing.OK);
    }

    private void probe(HealthTarget t, int index, ProbeCheck check) {
        ProbeOutcome o = check.run();
        deliver(new HealthResult.Probe(t.vm(), t.instanceId(), index, o.ok(), o.latencyMillis(), o.detail(),
                clock.monotonicMillis()), !o.ok());
    }

    private void deliver(HealthResult result, boolean wake) {
        if (Thread.currentThread().isInterrupted()) return; // cancelled meanwhile: the instance is no longer watched
        results.add(result);
        if (wake) wakeup.run();
    }

    /** Stops every check; results not yet drained are dropped. */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        targets.clear();
        tasks.clear();
        pool.shutdownNow();
    }
}
