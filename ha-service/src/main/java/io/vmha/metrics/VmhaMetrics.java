package io.vmha.metrics;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Every metric one vmha daemon exports, in one registry: names start with {@code vmha_}, are in base units
 * (seconds), and counters end in {@code _total}. Durations are native Prometheus histograms (Grafana's
 * {@code histogram_quantile} needs their buckets); pool gauges are computed at scrape time from the last
 * {@link AgentSnapshot}, so a scrape costs no ZooKeeper call. The README lists each metric with its meaning.
 *
 * <p>Pool-wide gauges ({@code vmha_hosts}, {@code vmha_vms}, ...) are exported by every daemon, each from its
 * own view: aggregate them with {@code max}. Counters and histograms of HA actions are counted by the daemon
 * that acts (failovers and restarts by the master, fences by the fencing host): aggregate them with {@code sum}.
 */
public final class VmhaMetrics {
    /** Results of {@link #migrationEnded}: every label value is exported from the start (at 0). */
    public static final List<String> MIGRATION_RESULTS = List.of("succeeded", "failed", "cancelled");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MetricRegistry dropwizard = new MetricRegistry();
    private final Histogram failover;
    private final Histogram restart;
    private final Histogram fence;
    private final Histogram migration;
    private final Histogram heartbeatWrite;
    private final Counter failovers;
    private final Counter restarts;
    private final Counter fences;
    private final Counter migrations;
    private final Counter events;
    private final com.codahale.metrics.Timer step;

    public VmhaMetrics(Supplier<AgentSnapshot> snapshot) {
        failover = seconds("vmha_failover_duration_seconds", "Failover: from the master first seeing a VM's owner host gone "
                + "to the VM recorded running on another host", 0.5, 1, 2, 4, 6, 8, 10, 15, 20, 30, 60, 120);
        restart = seconds("vmha_restart_duration_seconds", "Restart after a VM failure: from the master first seeing it "
                + "FAILED to the VM recorded running again (in place or elsewhere)", 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120);
        fence = seconds("vmha_fence_duration_seconds", "Self-fence: from this host deciding to fence to every local VM stopped",
                0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10);
        migration = seconds("vmha_migration_duration_seconds", "Live migration: from start to completion or failure",
                1, 2, 5, 10, 20, 30, 60, 120, 300, 600);
        heartbeatWrite = seconds("vmha_heartbeat_write_duration_seconds", "One write of this host's slot on the heartbeat disk",
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5);
        failovers = Counter.builder().name("vmha_failovers_total").help("VMs of lost hosts this daemon, as master, saw "
                + "running again on another host").register(registry);
        restarts = Counter.builder().name("vmha_restarts_total").help("Failed VMs this daemon, as master, saw running again")
                .register(registry);
        fences = Counter.builder().name("vmha_fences_total").help("Times this host fenced itself (stopped its VMs, cut off)")
                .register(registry);
        migrations = Counter.builder().name("vmha_migrations_total").help("Live migrations ended, by result")
                .labelNames("result").register(registry);
        for (String r : MIGRATION_RESULTS) migrations.labelValues(r).inc(0);
        events = Counter.builder().name("vmha_events_total").help("HA events this daemon said or saw, by notification type")
                .labelNames("type").register(registry);
        for (String t : io.vmha.jmx.VmhaNotifications.TYPES) events.labelValues(shortType(t)).inc(0);
        new PoolGauges(snapshot).register(registry);
        // Dropwizard where a summary is enough: the loop step time is for diagnosis, not for dashboards.
        step = dropwizard.timer("vmha_agent_step");
        DropwizardExports.builder().dropwizardRegistry(dropwizard).register(registry);
        JvmMetrics.builder().register(registry);
        io.prometheus.metrics.core.metrics.Info info = io.prometheus.metrics.core.metrics.Info.builder().name("vmha_daemon")
                .help("This daemon's host and pool").labelNames("host", "pool").register(registry);
        AgentSnapshot first = snapshot.get();
        info.setLabelValues(first.host(), first.pool());
    }

    private Histogram seconds(String name, String help, double... bounds) {
        return Histogram.builder().name(name).help(help).unit(Unit.SECONDS).classicOnly().classicUpperBounds(bounds)
                .register(registry);
    }

    public PrometheusRegistry registry() { return registry; }

    public void failoverCompleted(double seconds) {
        failover.observe(seconds);
        failovers.inc();
    }

    public void restartCompleted(double seconds) {
        restart.observe(seconds);
        restarts.inc();
    }

    public void fenceStarted() { fences.inc(); }

    public void fenceCompleted(double seconds) { fence.observe(seconds); }

    public void heartbeatWritten(long micros) { heartbeatWrite.observe(micros / 1e6); }

    public void stepTook(long nanos) { step.update(nanos, java.util.concurrent.TimeUnit.NANOSECONDS); }

    /** Count one HA event of notification type {@code type} (see {@link io.vmha.jmx.VmhaNotifications}). */
    public void event(String type) { events.labelValues(shortType(type)).inc(); }

    /**
     * A live migration of {@code vm} ended: the migration agent calls this once per migration with its
     * {@code result} (one of {@link #MIGRATION_RESULTS}) and its duration.
     */
    public void migrationEnded(String vm, String result, double seconds) {
        if (!MIGRATION_RESULTS.contains(result)) {
            throw new io.vmha.core.InvalidInputException("migration result of " + vm, result, "one of " + MIGRATION_RESULTS);
        }
        migration.observe(seconds);
        migrations.labelValues(result).inc();
    }

    /** Migrations ended with {@code result} since start. */
    public long migrations(String result) { return (long) migrations.labelValues(result).get(); }

    static String shortType(String type) {
        return type.startsWith("vmha.") ? type.substring(5).toLowerCase(Locale.ROOT) : type;
    }
}
