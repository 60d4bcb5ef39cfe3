package io.vmha.system.tunnel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmha.system.SystemTools;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vmha bench tunnel --seconds 5 --json} from the packaged jar, with Debian's stunnel: the JSON's shape and
 * positive throughputs. The acceptance ratios are measured and reported, not asserted: this machine is shared.
 */
class TunnelBenchIT {
    @Test void benchTunnelReportsAllThreeRelays() throws Exception {
        SystemTools.require("stunnel4", "stunnel4");
        Path jar = Path.of(System.getProperty("vmha.jar", "target/vmha.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "no packaged jar at " + jar + " (mvn -Psystem verify packages it)");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process bench = new ProcessBuilder(List.of(java, "-jar", jar.toString(), "bench", "tunnel", "--seconds", "5", "--json"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        bench.getOutputStream().close();
        String out = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertTrue(bench.waitFor(180, TimeUnit.SECONDS), "bench did not finish");
        } finally {
            bench.destroyForcibly();
        }
        assertEquals(0, bench.exitValue(), out);
        System.out.println(out);
        JsonNode report = new ObjectMapper().readTree(out);
        assertEquals(5.0, report.path("seconds_per_relay").asDouble());
        assertEquals("openssl", report.path("engine").asText());
        assertTrue(report.path("stunnel").asText().startsWith("stunnel "), report.path("stunnel").asText());
        for (String relay : List.of("tls", "plaintext", "stunnel")) {
            JsonNode r = report.path("relays").path(relay);
            assertTrue(r.path("mb_per_s").asDouble() > 0, relay + ": " + r);
            assertTrue(r.path("cpu_seconds_per_gb").asDouble() > 0, relay + ": " + r);
            assertTrue(r.path("bytes").asLong() > 0, relay + ": " + r);
            assertTrue(r.path("seconds").asDouble() >= 5, relay + ": " + r);
        }
        JsonNode ratios = report.path("ratios");
        assertEquals(report.path("relays").path("tls").path("mb_per_s").asDouble() / report.path("relays").path("plaintext").path("mb_per_s").asDouble(),
                ratios.path("tls_over_plaintext").asDouble(), 0.01);
        assertTrue(ratios.path("tls_over_stunnel").asDouble() > 0, ratios.toString());
        assertTrue(report.path("acceptance").has("met"), report.toString());
        assertTrue(report.path("cpu_counted").asText().contains("/proc/PID/stat"), report.toString());
    }
}
