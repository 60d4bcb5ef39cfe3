package io.vmha.management;

import io.vmha.config.AgentConfig;
import io.vmha.config.ObservabilityConfig;
import io.vmha.coordination.EndpointRegistry;
import io.vmha.coordination.PoolAdmin;
import io.vmha.coordination.VmControl;
import io.vmha.jmx.MigrationControl;
import io.vmha.metrics.AgentSnapshot;
import io.vmha.metrics.HaDurations;
import io.vmha.metrics.PrometheusEndpoint;
import io.vmha.metrics.VmhaMetrics;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's management side: metrics, MXBeans, the Jolokia and Prometheus endpoints, HA notifications.
 * {@link #open} binds the endpoints before the daemon joins the pool, so a bad policy file or a taken port stops
 * it before it touches anything; {@link #attach} then connects the beans to the pool. After every loop step the
 * daemon hands over a snapshot ({@link #stepped}); the scrape and JMX threads read only that.
 */
public final class Observability implements AutoCloseable {
    private static final Logger EVENTS = LoggerFactory.getLogger("vmha.events");
    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);

    private final AgentConfig config;
    private final AtomicReference<AgentSnapshot> snapshot;
    private final VmhaMetrics metrics;
    private final HaDurations durations;
    private final AtomicLong lastWriteMicros = new AtomicLong(-1);
    private PrometheusEndpoint prometheus;
    private JolokiaEndpoint jolokia;
    private final EndpointRegistry endpoints = new EndpointRegistry();
    private MBeans beans;
    private PoolBean pool;
    private MigrationControl migration = MigrationControl.NOT_AVAILABLE;
    private boolean closed;

    private Observability(AgentConfig config) {
        this.config = config;
        this.snapshot = new AtomicReference<>(AgentSnapshot.empty(config.host().name(), config.pool()));
        this.metrics = new VmhaMetrics(snapshot::get);
        this.durations = new HaDurations(metrics);
    }

    /** Create the metrics and bind the configured endpoints; on failure nothing is left listening. */
    public static Observability open(AgentConfig config) throws IOException {
        Observability o = new Observability(config);
        ObservabilityConfig c = config.observability();
        try {
            if (c.prometheus().enabled()) o.prometheus = PrometheusEndpoint.start(c.prometheus(), o.metrics);
            if (c.jolokia().enabled()) o.jolokia = JolokiaEndpoint.start(c.jolokia());
        } catch (IOException | RuntimeException e) {
            o.close();
            throw e;
        }
        return o;
    }

    /** Live migration's entry points, once the daemon has them (until then the operations say it is not available). */
    public void migrationControl(MigrationControl control) { this.migration = control; }

    /** Register the MXBeans and publish this host's endpoints, using the daemon's started ZooKeeper client. */
    public void attach(CuratorFramework client) {
        String host = config.host().name();
        Managed m = new Managed(config, snapshot::get, new PoolAdmin(client, config.pool()),
                new VmControl(client, config.pool(), "jmx@" + host), metrics, durations, new DelegatingMigration(),
                lastWriteMicros::get, this::urls);
        pool = new PoolBean(m);
        beans = new MBeans(m, pool);
        try {
            endpoints.publish(client, config.pool(), host, urls());
        } catch (Exception e) {
            LOG.warn("{}: endpoints not published ({}); vmha status will not show them", host, e.toString());
        }
        if (jolokia != null) LOG.info("{}: Jolokia at {}", host, jolokia.url());
        if (prometheus != null) LOG.info("{}: Prometheus metrics at {}", host, prometheus.url());
    }

    public EndpointRegistry.Endpoints urls() {
        return new EndpointRegistry.Endpoints(jolokia == null ? "" : jolokia.url(), prometheus == null ? "" : prometheus.url());
    }

    public VmhaMetrics metrics() { return metrics; }

    /** After every loop step, on the loop thread: must not block. */
    public void stepped(AgentSnapshot s, long stepNanos) {
        snapshot.set(s);
        metrics.stepTook(stepNanos);
        try {
            durations.stepped(s);
            if (beans != null) beans.sync(s);
        } catch (RuntimeException e) {
            LOG.warn("{}: observing a step failed: {}", s.host(), e.toString(), e);
        }
    }

    /** An HA event said by this daemon (the audit-log line): counted, sent as a JMX notification, logged. */
    public void event(String source, String message) {
        String type = EventTypes.of(message);
        metrics.event(type);
        EVENTS.info("{} {}: {}", type, source, message);
        PoolBean p = pool;
        if (p != null) p.notify(type, source, message, System.currentTimeMillis());
    }

    /** One heartbeat slot write took {@code micros}. */
    public void heartbeatWritten(long micros) {
        lastWriteMicros.set(micros);
        metrics.heartbeatWritten(micros);
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        endpoints.close();
        if (beans != null) beans.close();
        if (jolokia != null) jolokia.close();
        if (prometheus != null) prometheus.close();
    }

    /** Reads {@link #migration} at call time, so the control can be wired after the beans exist. */
    private final class DelegatingMigration implements MigrationControl {
        @Override public String migrate(String vm, String toHost) { return migration.migrate(vm, toHost); }

        @Override public String cancel(String vm) { return migration.cancel(vm); }

        @Override public boolean available() { return migration.available(); }
    }
}
