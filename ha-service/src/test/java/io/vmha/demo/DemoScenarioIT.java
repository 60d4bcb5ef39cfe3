package io.vmha.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo contract end to end: real agent processes, embedded ZooKeeper, sim VMs, the independent checker. */
class DemoScenarioIT {
    @TempDir Path tmp;

    private JsonNode scenario(String name, String... extra) throws Exception {
        Path report = tmp.resolve(name + ".json");
        String[] args = new String[] {"demo", "--scenario", name, "--report", report.toString(), "--dir",
                tmp.resolve(name).toString()};
        String[] all = new String[args.length + extra.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        JarRunner.Result r = JarRunner.run(240, all);
        assertEquals(0, r.exit(), "demo " + name + " failed:\n" + r.output());
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertTrue(json.get("invariants_ok").asBoolean(), r.output());
        assertEquals(0, json.get("double_runs").asInt());
        assertEquals(0, json.get("lost_vms").asInt());
        assertEquals(0, json.get("unrecovered_protected_vms").asInt());
        return json;
    }

    private static void assertRecovered(JsonNode json) {
        assertTrue(json.get("recovery_seconds").get("samples").asInt() > 0, "no recovery was measured: " + json);
    }

    @Test void hostCutOffFromZooKeeperFencesBeforeItsVmsRestartElsewhere() throws Exception {
        JsonNode json = scenario("host-isolation", "--duration", "15");
        assertRecovered(json);
        assertTrue(json.get("fences").asInt() >= 1, json.toString());
        assertTrue(json.get("recovery_seconds").get("p99").asDouble() <= 12, json.toString());
    }

    @Test void zooKeeperOutageStopsNoVmAndFencesNobody() throws Exception {
        JsonNode json = scenario("zk-outage", "--duration", "15");
        assertEquals(0, json.get("fences").asInt(), json.toString());
        assertEquals(0, json.get("vms_restarted").asInt(), json.toString());
        assertTrue(json.get("pool_healthy_after_outage").asBoolean(), json.toString());
    }

    @Test void vmCrashRecoversWithinOneSecond() throws Exception {
        JsonNode json = scenario("vm-crash", "--failures", "2", "--seed", "7");
        assertRecovered(json);
        assertEquals(2, json.get("recovery_seconds").get("samples").asInt());
        assertTrue(json.get("recovery_seconds").get("p99").asDouble() <= 1.0, json.toString());
    }

    @Test void hostCrashRestartsItsVmsElsewhere() throws Exception {
        JsonNode json = scenario("host-crash");
        assertRecovered(json);
        // ZooKeeper only declares the host dead after its 6 s session; restart follows within a few seconds.
        assertTrue(json.get("recovery_seconds").get("max").asDouble() < 15, json.toString());
    }

    /** The daemon JVM frozen past its session: the fence guard kills its VMs before they restart elsewhere. */
    @Test void pausedDaemonIsFencedByItsGuard() throws Exception {
        JsonNode json = scenario("daemon-pause");
        assertRecovered(json);
        assertTrue(json.get("fences").asInt() >= 1, json.toString());
    }

    /** SIGSTOPped sim guests: each reset in place by its own host (same host, same epoch) within 2 s + slack. */
    @Test void hungGuestsAreResetInPlace() throws Exception {
        JsonNode json = scenario("guest-hang", "--failures", "2", "--seed", "3");
        assertRecovered(json);
        assertEquals(2, json.get("recovery_seconds").get("samples").asInt(), json.toString());
        assertTrue(json.get("reset_in_place_same_host_same_epoch").asBoolean(), json.toString());
        assertTrue(json.get("reset_within_failure_plus_slack").asBoolean(), json.toString());
        assertEquals(0, json.get("fences").asInt(), json.toString());
        assertTrue(json.get("events").toString().contains("reset in place (guest heartbeat"), json.toString());
    }

    @Test void masterCrashIsTakenOverByANewMaster() throws Exception {
        JsonNode json = scenario("master-crash");
        assertRecovered(json);
        assertTrue(json.get("events").toString().contains("became pool master"), json.toString());
    }
}
