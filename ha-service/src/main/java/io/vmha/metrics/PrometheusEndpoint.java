package io.vmha.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.vmha.config.ObservabilityConfig;
import java.io.IOException;

/** The scrape endpoint: {@code http://<address>:<port>/metrics}, Prometheus text format (and OpenMetrics on request). */
public final class PrometheusEndpoint implements AutoCloseable {
    private final HTTPServer server;
    private final String address;
    private boolean closed;

    private PrometheusEndpoint(HTTPServer server, String address) {
        this.server = server;
        this.address = address;
    }

    public static PrometheusEndpoint start(ObservabilityConfig.Prometheus config, VmhaMetrics metrics) throws IOException {
        try {
            HTTPServer server = HTTPServer.builder().hostname(config.address()).port(config.port())
                    .registry(metrics.registry()).buildAndStart();
            return new PrometheusEndpoint(server, config.address());
        } catch (IOException e) {
            throw new IOException("prometheus.port: cannot listen on " + config.address() + ":" + config.port() + " ("
                    + e.getMessage() + "); choose a free port (0 picks one)", e);
        }
    }

    public int port() { return server.getPort(); }

    public String url() {
        String host = address.equals("0.0.0.0") ? "127.0.0.1" : address.contains(":") ? "[" + address + "]" : address;
        return "http://" + host + ":" + port() + "/metrics";
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        server.close();
    }
}
