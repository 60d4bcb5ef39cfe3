package io.vmha.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The Grafana dashboards in {@code grafana-dashboards/}, read for tests: panels, their queries, and metric names. */
public final class Dashboards {
    /** A metric name in a PromQL expression: vmha's own, the JVM's and the process's. */
    static final Pattern METRIC = Pattern.compile("\\b((?:vmha|jvm|process)_[a-zA-Z0-9_]+)\\b");

    public record Query(String dashboard, String panel, String expr) {}

    private Dashboards() {}

    /** The directory, from the module's directory (tests run there) or the repository root. */
    public static Path dir() {
        for (Path p : List.of(Path.of("../grafana-dashboards"), Path.of("grafana-dashboards"))) {
            if (Files.isDirectory(p)) return p.toAbsolutePath().normalize();
        }
        throw new IllegalStateException("grafana-dashboards/ not found from " + Path.of("").toAbsolutePath());
    }

    public static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    public static JsonNode read(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    public static List<Query> queries() throws IOException {
        List<Query> out = new ArrayList<>();
        for (Path f : files()) {
            JsonNode d = read(f);
            for (JsonNode panel : d.path("panels")) {
                for (JsonNode t : panel.path("targets")) {
                    out.add(new Query(f.getFileName().toString(), panel.path("title").asText(), t.path("expr").asText()));
                }
            }
        }
        return out;
    }

    /** Metric names an expression refers to. */
    static Set<String> metricsIn(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /** Every series name a registry's scrape can contain (counters with _total, histograms with _bucket ...). */
    static Set<String> exportedNames(io.prometheus.metrics.model.registry.PrometheusRegistry registry) {
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot s : registry.scrape()) {
            String n = s.getMetadata().getPrometheusName();
            if (s instanceof CounterSnapshot) {
                names.add(n + "_total");
            } else if (s instanceof HistogramSnapshot) {
                names.addAll(List.of(n + "_bucket", n + "_sum", n + "_count"));
            } else if (s instanceof SummarySnapshot) {
                names.addAll(List.of(n, n + "_sum", n + "_count"));
            } else if (s instanceof InfoSnapshot) {
                names.add(n + "_info");
            } else {
                names.add(n);
            }
        }
        return names;
    }
}
