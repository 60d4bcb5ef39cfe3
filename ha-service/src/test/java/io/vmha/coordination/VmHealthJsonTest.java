package io.vmha.coordination;

import io.vmha.core.GuestHeartbeat;
import io.vmha.core.HealthProbe;
import io.vmha.core.RestartOverride;
import io.vmha.core.Sensitivity;
import io.vmha.core.VmHealth;
import io.vmha.core.VmSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VM health policies survive the trip through ZooKeeper's JSON; specs stored before they existed still read. */
class VmHealthJsonTest {
    static VmHealth full() {
        return new VmHealth(new GuestHeartbeat(true, Sensitivity.HIGH, 5, null, 2, 600, 500),
                List.of(HealthProbe.tcp("10.0.0.5:80", HealthProbe.Action.RESET),
                        new HealthProbe(HealthProbe.Kind.HTTP, "http://10.0.0.5/health", 204, List.of(), 10, 3, 2,
                                HealthProbe.Action.RELOCATE),
                        new HealthProbe(HealthProbe.Kind.EXEC, "", 200, List.of("/usr/bin/check", "--fast"), 5, 5, 1,
                                HealthProbe.Action.RESET)),
                new RestartOverride(2, 600, 1, 5, 60));
    }

    @Test
    void aFullHealthPolicyRoundTrips() throws Exception {
        VmSpec spec = new VmSpec("web", 512, 2, "sim", Map.of("k", "v"), true, List.of("h1"), full());
        assertEquals(spec, Json.decode("/x/vms/web", Json.encode(spec), VmSpec.class));
    }

    @Test
    void aSpecStoredBeforeHealthPoliciesGetsTheDefault() throws Exception {
        String old = "{\"name\":\"web\",\"memoryMib\":512,\"vcpus\":1,\"driver\":\"sim\",\"driverParams\":{},"
                + "\"haEnabled\":true,\"preferredHosts\":[]}";
        VmSpec spec = Json.decode("/x/vms/web", old.getBytes(StandardCharsets.UTF_8), VmSpec.class);
        assertEquals(VmHealth.DEFAULT, spec.health());
        assertEquals(VmSpec.sim("web", 512), spec);
    }

    @Test
    void aMissingRequiredFieldIsStillCorrupt() {
        String noMemory = "{\"name\":\"web\",\"vcpus\":1,\"driver\":\"sim\",\"driverParams\":{},"
                + "\"haEnabled\":true,\"preferredHosts\":[]}";
        CorruptNodeException e = assertThrows(CorruptNodeException.class,
                () -> Json.decode("/x/vms/web", noMemory.getBytes(StandardCharsets.UTF_8), VmSpec.class));
        assertTrue(e.getMessage().contains("memoryMib"), e.getMessage());
    }

    @Test
    void anInvalidStoredProbeNamesItsField() {
        String json = new String(Json.encode(new VmSpec("web", 512, 1, "sim", Map.of(), true, List.of(), full())),
                StandardCharsets.UTF_8).replace("\"timeoutSeconds\":3", "\"timeoutSeconds\":30");
        CorruptNodeException e = assertThrows(CorruptNodeException.class,
                () -> Json.decode("/x/vms/web", json.getBytes(StandardCharsets.UTF_8), VmSpec.class));
        assertTrue(e.getMessage().contains("vm.health.probes[1].timeout-seconds: 30 is not accepted"), e.getMessage());
    }
}
