package io.vmha.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Grafana dashboards: each has the datasource variable, every panel uses it, every query names exported metrics. */
class DashboardsTest {
    private static final String DATASOURCE = "${datasource}";

    @Test void theFourDashboardsAndProvisioningExist() throws Exception {
        List<String> names = Dashboards.files().stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("vmha-failovers-fencing.json", "vmha-hosts-heartbeat.json", "vmha-migrations.json",
                "vmha-pool-overview.json"), names);
        assertTrue(java.nio.file.Files.isRegularFile(Dashboards.dir().resolve("provisioning/dashboards.yaml")));
    }

    @Test void everyDashboardHasADatasourceVariableOfTypeDatasource() throws Exception {
        for (Path f : Dashboards.files()) {
            JsonNode d = Dashboards.read(f);
            boolean found = false;
            for (JsonNode v : d.path("templating").path("list")) {
                if (v.path("name").asText().equals("datasource")) {
                    assertEquals("datasource", v.path("type").asText(), f + ": variable type");
                    assertEquals("prometheus", v.path("query").asText(), f + ": variable query");
                    found = true;
                }
            }
            assertTrue(found, f + ": no templating variable named datasource");
            assertFalse(d.toString().contains("DS_PROMETHEUS"), f + ": ${DS_PROMETHEUS} is not resolved by file provisioning");
        }
    }

    @Test void everyPanelAndTargetUsesTheVariable() throws Exception {
        int panels = 0;
        for (Path f : Dashboards.files()) {
            for (JsonNode panel : Dashboards.read(f).path("panels")) {
                panels++;
                String title = f.getFileName() + " / " + panel.path("title").asText();
                assertEquals(DATASOURCE, panel.path("datasource").path("uid").asText(), title + ": panel datasource");
                assertTrue(panel.path("targets").size() > 0, title + ": no query");
                for (JsonNode t : panel.path("targets")) {
                    assertEquals(DATASOURCE, t.path("datasource").path("uid").asText(), title + ": target datasource");
                }
            }
        }
        assertTrue(panels >= 20, "panels: " + panels);
    }

    @Test void everyExpressionNamesOnlyMetricsVmhaExports() throws Exception {
        VmhaMetrics metrics = new VmhaMetrics(() -> AgentSnapshot.empty("h1", "p"));
        Set<String> exported = Dashboards.exportedNames(metrics.registry());
        for (Dashboards.Query q : Dashboards.queries()) {
            Set<String> used = Dashboards.metricsIn(q.expr());
            assertFalse(used.isEmpty(), q + ": names no metric");
            for (String name : used) assertTrue(exported.contains(name), q + ": " + name + " is not exported; exported: " + exported);
        }
    }

    @Test void theCheckCatchesAnUnknownMetric() {
        assertEquals(Set.of("vmha_nonexistent_total", "jvm_memory_used_bytes"),
                Dashboards.metricsIn("sum(rate(vmha_nonexistent_total[5m])) / jvm_memory_used_bytes{area=\"heap\"}"));
    }
}
