package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.MigrationOptions;
import io.vmha.core.port.OutgoingVm;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** query-migrate / query-status replies (as qemu 7.2 sends them) mapped to the port's records, and the source's arguments. */
class MigrationInfoTest {
    static JsonNode json(String text) throws Exception {
        return QmpClient.JSON.readTree(text);
    }

    @Test
    void outgoingPhasesAndProgress() throws Exception {
        OutgoingVm active = MigrationInfo.outgoing("vm1", "m1", json(
                "{\"status\":\"active\",\"ram\":{\"transferred\":1000,\"total\":67641344,\"remaining\":5000}}"));
        assertEquals(new OutgoingVm("vm1", "m1", OutgoingVm.Phase.SENDING, 1000, 67641344, 5000, ""), active);
        assertEquals(OutgoingVm.Phase.SENDING, MigrationInfo.outgoing("vm1", "m1", json("{\"status\":\"setup\"}")).phase());
        assertEquals(OutgoingVm.Phase.SENDING, MigrationInfo.outgoing("vm1", "m1", json("{}")).phase(), "none yet");
        assertEquals(OutgoingVm.Phase.SENDING, MigrationInfo.outgoing("vm1", "m1", json("{\"status\":\"cancelling\"}")).phase());
        assertEquals(OutgoingVm.Phase.COMPLETED, MigrationInfo.outgoing("vm1", "m1", json(
                "{\"status\":\"completed\",\"downtime\":4,\"ram\":{\"transferred\":546363,\"total\":67641344,\"remaining\":0}}")).phase());
        OutgoingVm failed = MigrationInfo.outgoing("vm1", "m1", json(
                "{\"status\":\"failed\",\"error-desc\":\"Unable to write to socket: Broken pipe\"}"));
        assertEquals(OutgoingVm.Phase.FAILED, failed.phase());
        assertEquals("qemu: Unable to write to socket: Broken pipe", failed.detail());
        assertEquals(OutgoingVm.Phase.CANCELLED, MigrationInfo.outgoing("vm1", "m1", json("{\"status\":\"cancelled\"}")).phase());
    }

    @Test
    void incomingIsLoadedOnlyWhenCompleteAndPaused() {
        assertEquals(IncomingVm.Phase.WAITING, MigrationInfo.incoming("none", "inmigrate"));
        assertEquals(IncomingVm.Phase.WAITING, MigrationInfo.incoming("setup", "inmigrate"));
        assertEquals(IncomingVm.Phase.WAITING, MigrationInfo.incoming("active", "inmigrate"));
        assertEquals(IncomingVm.Phase.WAITING, MigrationInfo.incoming("active", "paused"), "run state set just before completed");
        assertEquals(IncomingVm.Phase.LOADED, MigrationInfo.incoming("completed", "paused"));
        assertEquals(IncomingVm.Phase.FAILED, MigrationInfo.incoming("completed", "running"), "ran before activate");
        assertEquals(IncomingVm.Phase.FAILED, MigrationInfo.incoming("active", "running"));
        assertEquals(IncomingVm.Phase.FAILED, MigrationInfo.incoming("failed", "inmigrate"));
        assertEquals(IncomingVm.Phase.FAILED, MigrationInfo.incoming("none", "internal-error"));
    }

    @Test
    void listeningPortFromSocketAddress() throws Exception {
        assertEquals(45349, MigrationInfo.listeningPort(json("{\"socket-address\":[{\"port\":\"45349\",\"ipv4\":true,"
                + "\"host\":\"127.0.0.1\",\"type\":\"inet\"}]}")));
        assertEquals(-1, MigrationInfo.listeningPort(json("{\"socket-address\":[{\"port\":\"1\",\"host\":\"0.0.0.0\",\"type\":\"inet\"}]}")),
                "only loopback");
        assertEquals(-1, MigrationInfo.listeningPort(json("{\"socket-address\":[{\"port\":\"x\",\"host\":\"127.0.0.1\",\"type\":\"inet\"}]}")));
        assertEquals(-1, MigrationInfo.listeningPort(json("{\"socket-address\":[{\"port\":\"70000\",\"host\":\"127.0.0.1\",\"type\":\"inet\"}]}")));
        assertEquals(-1, MigrationInfo.listeningPort(json("{}")));
    }

    @Test
    void sourceArguments() {
        long[] defaults = {134217728, 300};
        assertEquals("{\"max-bandwidth\":134217728,\"downtime-limit\":300}",
                MigrationArguments.parameters(MigrationOptions.DEFAULT, defaults).toString(), "0 restores qemu's own values");
        assertEquals("{\"max-bandwidth\":65536,\"downtime-limit\":50}",
                MigrationArguments.parameters(new MigrationOptions(65536, 50), defaults).toString());
        assertEquals("tcp:127.0.0.1:4444", MigrationArguments.uri(4444));
        assertEquals("bandwidth 65536 B/s, max downtime qemu's default", MigrationArguments.describe(new MigrationOptions(65536, 0)));
    }
}
