package io.vmha.system.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmha.jmx.PoolMXBean;
import io.vmha.jmx.VmhaObjectNames;
import io.vmha.metrics.Dashboards;
import io.vmha.system.SystemTools;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live demo pool (3 host daemons, packaged jar) seen through real tools: Debian's Prometheus scrapes it and
 * answers every dashboard panel's query; promtool lints a scrape; curl talks to Jolokia with both roles; a JMX
 * connector (attach API) reads the Pool MBean.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    private LiveDemo demo;

    @BeforeAll void up() throws Exception {
        SystemTools.require("prometheus", "prometheus");
        SystemTools.require("promtool", "prometheus");
        SystemTools.require("curl", "curl");
        demo = LiveDemo.start(tmp, 6);
    }

    @AfterAll void down() throws Exception {
        if (demo != null) demo.close();
    }

    @Test void prometheusScrapesThePoolAndEveryDashboardPanelHasASeries() throws Exception {
        int port = freePort();
        Path config = tmp.resolve("prometheus.yml");
        StringBuilder targets = new StringBuilder();
        for (String url : demo.prometheusUrls()) {
            URI u = URI.create(url);
            targets.append(targets.length() == 0 ? "" : ", ").append('\'').append(u.getHost()).append(':').append(u.getPort()).append('\'');
        }
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
                + "  - job_name: vmha\n    static_configs:\n      - targets: [" + targets + "]\n");
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        try {
            String base = "http://127.0.0.1:" + port;
            awaitTrue(() -> query(base, "sum(up{job=\"vmha\"})").path(0).path("value").path(1).asText().equals("3"), 60,
                    "all 3 daemons up in Prometheus");
            Thread.sleep(8000); // enough samples for rate() over the substituted interval
            List<String> empty = new ArrayList<>();
            int checked = 0;
            for (Dashboards.Query q : Dashboards.queries()) {
                String expr = q.expr().replace("$__rate_interval", "30s").replace("$__interval", "5s");
                JsonNode result = query(base, expr);
                checked++;
                if (result.size() < 1) empty.add(q.dashboard() + " / " + q.panel() + ": " + expr);
            }
            assertTrue(checked >= 20, "queries checked: " + checked);
            assertEquals(List.of(), empty, "panel queries with no series");
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) prometheus.destroyForcibly();
        }
    }

    @Test void promtoolCheckMetricsPassesOnAScrape() throws Exception {
        Procs.Result scrape = Procs.run(List.of("curl", "-sf", demo.prometheusUrls().get(0)), null, 30);
        assertEquals(0, scrape.exit(), scrape.output());
        assertTrue(scrape.output().contains("vmha_vms{state=\"running\"} 6.0"), scrape.output());
        Procs.Result lint = Procs.run(List.of("promtool", "check", "metrics"), scrape.output(), 30);
        assertEquals(0, lint.exit(), "promtool check metrics:\n" + lint.output());
    }

    @Test void jolokiaOverHttpEnforcesBothRoles() throws Exception {
        String url = demo.jolokia(0);
        String ro = demo.user("read-only") + ":" + demo.password("read-only");
        String op = demo.user("operator") + ":" + demo.password("operator");

        assertEquals("401", curl(null, url + "read/vmha:type=Pool").code(), "no credentials");
        assertEquals("401", curl(demo.user("read-only") + ":wrong", url + "read/vmha:type=Pool").code(), "wrong password");

        Http read = curl(ro, url + "read/vmha:type=Pool/Name");
        assertEquals(200, read.json().path("status").asInt(), read.body());
        assertEquals("demo", read.json().path("value").asText(), read.body());

        Http roExec = curl(ro, url + "exec/vmha:type=Pool/setVmHaEnabled/vm01/false");
        assertEquals(403, roExec.json().path("status").asInt(), "read-only exec: " + roExec.body());

        Http opExec = curl(op, url + "exec/vmha:type=Pool/setVmHaEnabled/vm01/false");
        assertEquals(200, opExec.json().path("status").asInt(), "operator exec: " + opExec.body());
        awaitTrue(() -> curl(ro, url + "read/vmha:type=Vm,name=vm01/HaEnabled").json().path("value").asText().equals("false"), 20,
                "vm01 HA off as seen by the Vm bean");
        assertEquals(200, curl(op, url + "exec/vmha:type=Vm,name=vm01/enableHa").json().path("status").asInt());

        Http gc = curl(op, url + "exec/java.lang:type=Memory/gc");
        assertEquals(403, gc.json().path("status").asInt(), "operator exec outside vmha:*: " + gc.body());
        Http heap = curl(op, url + "read/java.lang:type=Memory/HeapMemoryUsage");
        assertEquals(200, heap.json().path("status").asInt(), "operator reads the JVM's beans: " + heap.body());
        Http migrate = curl(op, url + "exec/vmha:type=Migration/migrate/vm01/h2");
        // The operator's exec writes the same request as 'vmha vm migrate': accepted here, refused by the master later
        // with the reason (sim VMs cannot migrate), never pretending to have moved anything.
        assertTrue(migrate.body().contains("\"status\":200") && migrate.body().matches("(?s).*migration \\w+ of vm vm01 to h2 requested.*"),
                "the migrate operation must write a request: " + migrate.body());
    }

    @Test void aJmxConnectorReadsThePoolMBean() throws Exception {
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(String.valueOf(demo.pid(0)));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection c = connector.getMBeanServerConnection();
            PoolMXBean pool = JMX.newMXBeanProxy(c, VmhaObjectNames.pool(), PoolMXBean.class, true);
            assertEquals("demo", pool.getName());
            assertEquals(List.of("h1", "h2", "h3"), List.of(pool.getHosts()));
            assertEquals(6, pool.getVms().length);
            assertEquals("h1", pool.getThisHost());
            assertEquals(3, c.queryNames(VmhaObjectNames.allHosts(), null).size());
        }
    }

    // ---------------------------------------------------------------- helpers

    record Http(String code, String body) {
        JsonNode json() throws Exception { return JSON.readTree(body); }
    }

    private static Http curl(String credentials, String url) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-w", "\n%{http_code}"));
        if (credentials != null) cmd.addAll(List.of("-u", credentials));
        cmd.add(url);
        String out = Procs.run(cmd, null, 30).output();
        int nl = out.lastIndexOf('\n');
        return new Http(out.substring(nl + 1).trim(), out.substring(0, Math.max(0, nl)));
    }

    private static JsonNode query(String base, String expr) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (!"success".equals(body.path("status").asText())) throw new AssertionError(expr + ": " + r.body());
        return body.path("data").path("result");
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check check, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) return;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what + (last == null ? "" : ": " + last));
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
