package io.vmha.agent;

import io.vmha.core.HealthPolicy;
import io.vmha.core.HealthReading;
import io.vmha.core.port.Clock;
import io.vmha.core.port.HealthReadings;
import io.vmha.core.port.Journal;
import io.vmha.health.DiskLatencyMonitor;
import io.vmha.health.NicLinkMonitor;
import io.vmha.health.ReachabilityMonitor;
import io.vmha.heartbeat.DiskHeartbeat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Samples the host-health monitors ({@code io.vmha.health}) on their own threads, every monitor at its interval, and
 * queues the readings for {@code HostAgent} to drain on its next step; the decisions stay in the core's
 * {@code HostHealthMonitors}. A probe may block up to its timeout, so each reachability target has its own thread and a
 * dead gateway never delays NIC sampling. When a monitor's reading flips (up/down, reachable/not) the decision loop
 * is woken at once instead of at its next backstop tick. Lifecycle: {@link #start()} once, {@link #close()} any times.
 */
public final class HostHealthRunner implements HealthReadings, AutoCloseable {
    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final String host;
    private final HealthPolicy policy;
    private final Clock clock;
    private final Journal journal;
    private final Runnable wakeup;
    private final Path sysfs;
    private final DiskHeartbeat heartbeat;
    private final long diskIntervalMillis;
    private final ConcurrentLinkedQueue<HealthReading> queue = new ConcurrentLinkedQueue<>();
    /** Per monitor: the last reading's good/bad and how many in a row, to wake the loop only while it matters. */
    private final Map<String, Streak> streaks = new ConcurrentHashMap<>();

    private record Streak(boolean ok, int length) {}
    private ScheduledThreadPoolExecutor executor;

    /**
     * @param heartbeat the heartbeat disk whose writes are timed, or null without one
     * @param wakeup    asks the decision loop for a step now
     */
    public HostHealthRunner(String host, HealthPolicy policy, Path sysfs, DiskHeartbeat heartbeat, long diskIntervalMillis,
                            Clock clock, Journal journal, Runnable wakeup) {
        this.host = host;
        this.policy = policy;
        this.sysfs = sysfs;
        this.heartbeat = heartbeat;
        this.diskIntervalMillis = diskIntervalMillis;
        this.clock = clock;
        this.journal = journal;
        this.wakeup = wakeup;
    }

    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) throw new IllegalStateException("health runner " + state.get());
        int threads = 1 + policy.reachability().size();
        executor = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, "vmha-health-" + host);
            t.setDaemon(true);
            return t;
        });
        for (HealthPolicy.Nic n : policy.nics()) {
            NicLinkMonitor monitor = new NicLinkMonitor(sysfs, n.name());
            every(n.intervalMs(), () -> offer("nic " + n.name(), n.failures(), monitor.read(clock.monotonicMillis())));
        }
        for (HealthPolicy.Reachability r : policy.reachability()) {
            ReachabilityMonitor monitor = new ReachabilityMonitor(r.address(), r.timeoutMs(), clock);
            every(r.intervalMs(), () -> offer("reachability " + r.address(), r.failures(), monitor.probe()));
        }
        policy.diskLatency().ifPresent(d -> {
            if (heartbeat == null) return; // the config refuses this combination; nothing to time
            DiskLatencyMonitor monitor = new DiskLatencyMonitor(d.warnMs(), clock, heartbeat::roundRunningSince,
                    reading -> offer("disk", d.failures(), reading));
            heartbeat.onWrite(monitor::written);
            every(diskIntervalMillis, monitor::checkHanging);
        });
        journal.record(host, "health monitors started: " + policy.nics().size() + " NIC(s), "
                + policy.reachability().size() + " address(es)" + (policy.diskLatency().isPresent() ? ", heartbeat-disk latency" : ""));
    }

    private void every(long periodMillis, Runnable sample) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                sample.run();
            } catch (RuntimeException e) {
                // One bad sample must not cancel the schedule (a thrown exception would, silently).
                journal.record(host, "health sample failed: " + e);
            }
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Queue a reading; wake the decision loop from a flip until the streak reaches the monitor's threshold (the
     * readings that can change its state), so a failure is acted on at the threshold, not at the next backstop tick.
     */
    private void offer(String monitor, int threshold, HealthReading reading) {
        queue.add(reading);
        boolean ok = reading instanceof HealthReading.NicLink n ? n.up()
                : reading instanceof HealthReading.Reachable r ? r.reachable()
                : policy.diskLatency().map(d -> ((HealthReading.DiskWrite) reading).latencyMillis() <= d.warnMs()).orElse(true);
        Streak s = streaks.merge(monitor, new Streak(ok, 1),
                (old, now) -> old.ok() == ok ? new Streak(ok, Math.min(old.length() + 1, Integer.MAX_VALUE - 1)) : now);
        if (s.length() <= threshold) wakeup.run();
    }

    @Override public List<HealthReading> drain() {
        List<HealthReading> out = new ArrayList<>();
        for (HealthReading r = queue.poll(); r != null; r = queue.poll()) out.add(r);
        return out;
    }

    @Override public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) return;
        executor.shutdownNow();
        if (heartbeat != null) heartbeat.onWrite(micros -> { });
    }
}
