package io.vmha.management;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vmha.jmx.VmhaNotifications;
import org.junit.jupiter.api.Test;

/** The event lines the host and master agents write today, and the notification type each becomes. */
class EventTypesTest {
    @Test void failoverIsTheMasterRestartingAVmOfALostHost() {
        assertEquals(VmhaNotifications.FAILOVER, EventTypes.of(
                "vm vm03 => STARTING on h2 epoch 4 (host h1 lost: start on h2 (most free memory))"));
        assertEquals(VmhaNotifications.STATE_CHANGE, EventTypes.of(
                "vm vm03 => STARTING on h1 epoch 3 (restart in place on h1 (1 crash in 600 s, limit 3))"));
    }

    @Test void fencesPillsAlarmsAndStates() {
        assertEquals(VmhaNotifications.FENCE, EventTypes.of("host state FENCED (zookeeper LOST; others connected)"));
        assertEquals(VmhaNotifications.FENCE, EventTypes.of("poison pill for h3 (host h3 lost its ZooKeeper session but is not fencing)"));
        assertEquals(VmhaNotifications.ALARM, EventTypes.of("alarms [storage-degraded]"));
        assertEquals(VmhaNotifications.STATE_CHANGE, EventTypes.of("host state ACTIVE (joined)"));
        assertEquals(VmhaNotifications.STATE_CHANGE, EventTypes.of("became pool master"));
        assertEquals(VmhaNotifications.MIGRATION, EventTypes.of("vm web1 migration to h2 completed in 3.1 s"));
    }
}
