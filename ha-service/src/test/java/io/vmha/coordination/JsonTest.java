package io.vmha.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.HostCapacity;
import io.vmha.core.HostRecord;
import io.vmha.core.HostState;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import io.vmha.core.VmState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void recordsRoundTrip() throws Exception {
        HostRecord host = new HostRecord("h1", new HostCapacity(2048, 2), 42, HostState.FROZEN);
        VmSpec vm = new VmSpec("vm1", 512, 2, "sim", Map.of("k", "v"), false, List.of("h1", "h2"));
        Ownership owner = new Ownership("vm1", "h1", VmState.RUNNING, 9, List.of(1L, 2L), "i-1", "started");
        assertEquals(host, Json.decode("/x/hosts/h1", Json.encode(host), HostRecord.class));
        assertEquals(vm, Json.decode("/x/vms/vm1", Json.encode(vm), VmSpec.class));
        assertEquals(owner, Json.decode("/x/owners/vm1", Json.encode(owner), Ownership.class));
    }

    @Test
    void aHostRecordKeepsItsDriverAndOneWrittenBeforeDriversReadsAsSim() throws Exception {
        HostRecord qemu = new HostRecord("h1", new HostCapacity(2048, 2), 42, HostState.ACTIVE).withDriver("qemu");
        assertEquals(qemu, Json.decode("/x/hosts/h1", Json.encode(qemu), HostRecord.class));
        byte[] old = "{\"name\":\"h1\",\"capacity\":{\"memoryMib\":2048,\"vcpus\":2},\"incarnation\":42,\"state\":\"ACTIVE\",\"alarms\":[]}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals("sim", Json.decode("/x/hosts/h1", old, HostRecord.class).driver());
    }

    @Test
    void badDataNamesThePathAndNeverThrowsFromDecodeNamed() {
        List<String> problems = new ArrayList<>();
        assertTrue(Json.decodeNamed("/x/vms/a", "[]".getBytes(StandardCharsets.UTF_8), VmSpec.class, VmSpec::name,
                problems::add).isEmpty());
        assertTrue(Json.decodeNamed("/x/vms/a", new byte[0], VmSpec.class, VmSpec::name, problems::add).isEmpty());
        assertTrue(Json.decodeNamed("/x/vms/a", null, VmSpec.class, VmSpec::name, problems::add).isEmpty());
        assertEquals(3, problems.size());
        assertTrue(problems.stream().allMatch(p -> p.startsWith("corrupt node /x/vms/a: ")), problems.toString());
    }

    @Test
    void aMissingEpochIsCorruptNotZero() {
        byte[] noEpoch = "{\"vm\":\"vm1\",\"host\":\"h1\",\"state\":\"RUNNING\",\"failures\":[],\"instance\":\"\",\"reason\":\"\"}"
                .getBytes(StandardCharsets.UTF_8);
        CorruptNodeException e = assertThrows(CorruptNodeException.class, () -> Json.decode("/x/owners/vm1", noEpoch, Ownership.class));
        assertEquals("/x/owners/vm1", e.path());
        assertTrue(e.getMessage().contains("epoch"), e.getMessage());
    }

    @Test
    void networksRoundTripAndRecordsWithoutThemStillRead() throws Exception {
        HostRecord host = new HostRecord("h1", new HostCapacity(2048, 2), 42, HostState.ACTIVE,
                List.of("degraded: 10.0.0.1 unreachable"), List.of("storage", "biz"));
        assertEquals(List.of("biz", "storage"), host.networks());
        assertEquals(host, Json.decode("/x/hosts/h1", Json.encode(host), HostRecord.class));
        VmSpec vm = new VmSpec("vm1", 512, 1, "sim", Map.of(), true, List.of(), List.of("biz"));
        assertEquals(vm, Json.decode("/x/vms/vm1", Json.encode(vm), VmSpec.class));
        // Written by a daemon from before alarms and networks: no networks, no alarms, not corrupt.
        byte[] oldHost = "{\"name\":\"h1\",\"capacity\":{\"memoryMib\":2048,\"vcpus\":2},\"incarnation\":42,\"state\":\"ACTIVE\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(new HostRecord("h1", new HostCapacity(2048, 2), 42, HostState.ACTIVE),
                Json.decode("/x/hosts/h1", oldHost, HostRecord.class));
        byte[] oldVm = "{\"name\":\"vm1\",\"memoryMib\":512,\"vcpus\":1,\"driver\":\"sim\",\"driverParams\":{},\"haEnabled\":true,\"preferredHosts\":[]}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(VmSpec.sim("vm1", 512), Json.decode("/x/vms/vm1", oldVm, VmSpec.class));
        // A bad network name is still refused, naming the field.
        byte[] badVm = "{\"name\":\"vm1\",\"memoryMib\":512,\"vcpus\":1,\"driver\":\"sim\",\"driverParams\":{},\"haEnabled\":true,\"preferredHosts\":[],\"networks\":[\"a/b\"]}"
                .getBytes(StandardCharsets.UTF_8);
        CorruptNodeException e = assertThrows(CorruptNodeException.class, () -> Json.decode("/x/vms/vm1", badVm, VmSpec.class));
        assertTrue(e.getMessage().contains("vm.networks"), e.getMessage());
    }
}
