package io.vmha.config;

import io.vmha.core.HealthProbe;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Sensitivity;
import io.vmha.core.VmSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vmha vm add --spec FILE.yaml}: a full file reads back, and every mistake names its key. */
class VmSpecLoaderTest {
    @TempDir Path tmp;

    static final String FULL = """
            name: web1
            memory-mib: 512
            vcpus: 2
            driver: sim
            params: {disk: /srv/web1.img}
            ha: true
            prefer: [h1, h2]
            health:
              guest-heartbeat:
                sensitivity: high
                failure-seconds: 5
                ping-interval-ms: 500
              probes:
                - tcp: 10.0.0.5:80
                - http: http://10.0.0.5/health
                  expect-status: 204
                  interval-seconds: 10
                  timeout-seconds: 3
                  failure-threshold: 2
                  action: relocate
                - exec: [/usr/bin/check, --fast]
              restart:
                max-restarts: 2
                window-seconds: 600
                max-relocations: 1
                backoff-seconds: 5
                backoff-max-seconds: 60
            """;

    VmSpec load(String yaml) throws ConfigException {
        Path file = tmp.resolve("vm.yaml");
        try {
            Files.writeString(file, yaml);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return VmSpecLoader.load(file);
    }

    InvalidInputException bad(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
        assertTrue(e.getMessage().startsWith(tmp.resolve("vm.yaml") + ": "), e.getMessage());
        return e.invalidInput().orElseThrow(() -> new AssertionError("no invalid input: " + e.getMessage()));
    }

    @Test
    void aFullSpecReads() throws Exception {
        VmSpec spec = load(FULL);
        assertEquals("web1", spec.name());
        assertEquals(List.of("h1", "h2"), spec.preferredHosts());
        assertEquals("/srv/web1.img", spec.driverParams().get("disk"));
        assertEquals(Sensitivity.HIGH, spec.health().guestHeartbeat().sensitivity());
        assertEquals(5000, spec.health().guestHeartbeat().effectiveFailureMillis());
        assertEquals(20_000, spec.health().guestHeartbeat().effectiveMinUptimeMillis()); // the preset's
        assertEquals(3, spec.health().probes().size());
        assertEquals(HealthProbe.Action.RELOCATE, spec.health().probes().get(1).action());
        assertEquals(204, spec.health().probes().get(1).expectStatus());
        assertEquals(List.of("/usr/bin/check", "--fast"), spec.health().probes().get(2).command());
        assertEquals(10_000, spec.health().backoffMillis(3));
    }

    @Test
    void aMinimalSpecHasTheDefaults() throws Exception {
        VmSpec spec = load("name: db\nmemory-mib: 1024\n");
        assertEquals(VmSpec.sim("db", 1024), spec);
        assertNull(spec.health().restart());
    }

    @Test
    void mistakesNameTheirKeyValueAndWhatIsAccepted() {
        InvalidInputException e = bad(FULL.replace("timeout-seconds: 3", "timeout-seconds: 30"));
        assertEquals("vm.health.probes[1].timeout-seconds", e.field());
        assertEquals("30", e.value());
        assertTrue(e.accepted().contains("interval-seconds (10)"), e.getMessage());
        assertEquals("vm.health.guest-heartbeat.failure-secs", bad(FULL.replace("failure-seconds: 5", "failure-secs: 5")).field());
        assertEquals("memry-mib", bad("name: a\nmemry-mib: 5\n").field());
        assertEquals("vm.health.probes[0].tcp", bad(FULL.replace("tcp: 10.0.0.5:80", "tcp: 10.0.0.5")).field());
        assertEquals("vm.health.probes[1].action", bad(FULL.replace("action: relocate", "action: reboot")).field());
        assertEquals("vm.health.guest-heartbeat.sensitivity", bad(FULL.replace("sensitivity: high", "sensitivity: extreme")).field());
        assertEquals("vm.health.restart.backoff-seconds", bad(FULL.replace("backoff-seconds: 5", "backoff-seconds: fast")).field());
        assertEquals("vm.memory-mib", bad("name: a\n").field());
        assertEquals("vm.health.probes[0].tcp", bad("name: a\nmemory-mib: 5\nhealth:\n  probes:\n    - interval-seconds: 5\n").field());
        ConfigException notYaml = assertThrows(ConfigException.class, () -> load("name: [a\n"));
        assertTrue(notYaml.getMessage().contains("not valid YAML"), notYaml.getMessage());
    }
}
