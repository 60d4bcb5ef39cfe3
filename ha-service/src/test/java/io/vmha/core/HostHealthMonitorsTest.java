package io.vmha.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostHealthMonitorsTest {
    private final List<String> journal = new ArrayList<>();
    private final HealthPolicy policy = new HealthPolicy(
            List.of(new HealthPolicy.Nic("eth1", List.of("biz"), HealthAction.NETWORKS, 3, 500),
                    new HealthPolicy.Nic("eth2", List.of("biz", "storage"), HealthAction.EVACUATE, 1, 500)),
            List.of(new HealthPolicy.Reachability("10.0.0.1", 1000, 200, 2, HealthAction.DEGRADE)),
            Optional.of(new HealthPolicy.DiskLatency(100, 2, HealthAction.DEGRADE)));
    private final HostHealthMonitors health = new HostHealthMonitors("h1", policy, (s, m) -> journal.add(s + " " + m));

    private void nic(String nic, boolean up, long at) {
        health.observe(new HealthReading.NicLink(nic, up, up ? "" : "operstate down", at));
    }

    @Test
    void aNicProvidesItsNetworksOnlyOnceSeenUp() {
        assertEquals(List.of(), health.status().networks());
        nic("eth1", true, 0);
        assertEquals(List.of("biz"), health.status().networks());
        nic("eth2", true, 0);
        assertEquals(List.of("biz", "storage"), health.status().networks());
        assertEquals(List.of(), health.status().alarms());
    }

    @Test
    void downBelowTheThresholdChangesNothingAndTheThresholdFailsIt() {
        nic("eth1", true, 0);
        nic("eth1", false, 500);
        nic("eth1", false, 1000);
        assertEquals(MonitorState.SUSPECT, health.states().get("nic eth1"));
        assertEquals(List.of("biz"), health.status().networks());
        nic("eth1", true, 1500); // a flap: the count starts again
        nic("eth1", false, 2000);
        nic("eth1", false, 2500);
        assertEquals(List.of("biz"), health.status().networks());
        nic("eth1", false, 3000);
        assertEquals(MonitorState.FAILED, health.states().get("nic eth1"));
        assertEquals(List.of(), health.status().networks());
        assertEquals(List.of("network-lost: nic eth1 down, networks [biz]"), health.status().alarms());
        assertFalse(health.status().evacuate());
        assertTrue(journal.contains("h1 nic eth1 state SUSPECT => FAILED (down: operstate down; 3 of 3 readings in a row over 1000 ms)"),
                journal.toString());
    }

    @Test
    void recoveryNeedsAsManyGoodReadingsAndOneBadOneFailsItAgain() {
        nic("eth1", false, 0);
        nic("eth1", false, 500);
        nic("eth1", false, 1000);
        nic("eth1", true, 1500);
        nic("eth1", true, 2000);
        assertEquals(MonitorState.RECOVERING, health.states().get("nic eth1"));
        assertEquals(List.of(), health.status().networks());
        nic("eth1", false, 2500);
        assertEquals(MonitorState.FAILED, health.states().get("nic eth1"));
        for (long t = 3000; t <= 4000; t += 500) nic("eth1", true, t);
        assertEquals(MonitorState.OK, health.states().get("nic eth1"));
        assertEquals(List.of("biz"), health.status().networks());
    }

    @Test
    void aNetworkStaysWhileAnotherNicCarryingItIsUpAndEvacuateIsRaised() {
        nic("eth1", true, 0);
        nic("eth2", false, 0); // threshold 1, action evacuate
        assertEquals(List.of("biz"), health.status().networks());
        assertTrue(health.status().evacuate());
        assertEquals(List.of("evacuating: nic eth2 down, networks [biz, storage]"), health.status().alarms());
    }

    @Test
    void reachabilityAndDiskLatencyDegrade() {
        health.observe(new HealthReading.Reachable("10.0.0.1", false, "timeout", 0));
        health.observe(new HealthReading.Reachable("10.0.0.1", false, "timeout", 1000));
        health.observe(new HealthReading.DiskWrite(150, 1000));
        assertEquals(List.of("degraded: 10.0.0.1 unreachable"), health.status().alarms());
        health.observe(new HealthReading.DiskWrite(100, 2000)); // at the threshold is fine
        health.observe(new HealthReading.DiskWrite(101, 3000));
        health.observe(new HealthReading.DiskWrite(5000, 4000));
        assertEquals(List.of("degraded: 10.0.0.1 unreachable", "degraded: heartbeat disk writes slower than 100 ms"),
                health.status().alarms());
    }

    @Test
    void olderAndUnknownReadingsAreIgnored() {
        nic("eth1", true, 1000);
        nic("eth1", false, 500);
        nic("eth9", false, 2000);
        health.observe(new HealthReading.Reachable("10.9.9.9", false, "timeout", 0));
        assertEquals(MonitorState.OK, health.states().get("nic eth1"));
        assertEquals(List.of(), health.status().alarms());
    }
}
