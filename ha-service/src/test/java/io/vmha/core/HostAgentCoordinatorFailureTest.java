package io.vmha.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.port.Clock;
import io.vmha.core.port.Connection;
import io.vmha.core.port.ConnectionState;
import io.vmha.core.port.Coordination;
import io.vmha.core.port.CoordinationException;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.LocalVm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Once a coordinator call fails in a step, the step skips its remaining coordinator work (each such call
 * may block up to the adapter's bound, and the fence guard is fed only after the step) but still runs its
 * local stops.
 */
class HostAgentCoordinatorFailureTest {
    private static final long NOW = 100_000;

    @Test
    void afterAFailedPublishTheStepStillStopsButStartsNothing() {
        FakeCoordination zk = new FakeCoordination();
        FakeHypervisor hv = new FakeHypervisor();
        HostRecord self = new HostRecord("h1", new HostCapacity(8192, 8), 1, HostState.JOINING);
        Clock clock = new Clock() {
            @Override public long monotonicMillis() { return NOW; }
            @Override public long wallMillis() { return 1_700_000_000_000L; }
        };
        List<String> journal = new ArrayList<>();
        HostAgent agent = new HostAgent(self, zk, hv, clock, (source, line) -> journal.add(line), Timings.defaults());

        zk.view = PoolView.of(Map.of("h1", self), Map.of(), Map.of());
        agent.step(); // JOINING => ACTIVE, publishes that
        assertEquals(HostState.ACTIVE, agent.state());
        assertEquals(1, zk.publishes);

        // Now ZooKeeper stops answering. The view still shows the old record (so a Publish comes first), two
        // VMs this host should start, and a local instance nobody owns (a Stop).
        zk.failing = true;
        VmSpec a = VmSpec.sim("vm-a", 256);
        VmSpec b = VmSpec.sim("vm-b", 256);
        zk.view = PoolView.of(Map.of("h1", self), Map.of("vm-a", a, "vm-b", b), Map.of(
                "vm-a", new Versioned<>(Ownership.first("vm-a", "h1", "placed"), 0),
                "vm-b", new Versioned<>(Ownership.first("vm-b", "h1", "placed"), 0)));
        hv.instances.put("vm-x", new LocalVm("vm-x", 3, "x#1", true, ""));
        agent.step();

        assertEquals(2, zk.publishes, "the publish was attempted once");
        assertEquals(0, zk.readOwners, "no start was attempted after the coordinator failed");
        assertEquals(List.of("vm-x"), hv.stopped, "the local stop still ran");
        assertTrue(journal.stream().anyMatch(l -> l.contains("action failed")), String.join("\n", journal));
    }

    private static final class FakeCoordination implements Coordination {
        PoolView view = PoolView.empty();
        boolean failing;
        int publishes;
        int readOwners;

        @Override public Connection connection() { return new Connection(ConnectionState.CONNECTED, 0, 1, NOW); }
        @Override public PoolView view() { return view; }
        @Override public boolean isMaster() { return false; }
        @Override public void yieldMastership() { }
        @Override public void event(String source, String message) { }

        @Override public Optional<Versioned<Ownership>> readOwner(String vm) throws CoordinationException {
            readOwners++;
            if (failing) throw new CoordinationException("no answer");
            return Optional.ofNullable(view.owners().get(vm));
        }

        @Override public void publishHost(HostRecord record) throws CoordinationException {
            publishes++;
            if (failing) throw new CoordinationException("no answer within the bound");
            view = PoolView.of(Map.of(record.name(), record), view.vms(), view.owners());
        }

        @Override public boolean writeOwner(Ownership next, int expectedVersion) throws CoordinationException {
            if (failing) throw new CoordinationException("no answer");
            return true;
        }

        @Override public boolean deleteRequest(String vm, int expectedVersion) throws CoordinationException {
            if (failing) throw new CoordinationException("no answer");
            return true;
        }

        @Override public boolean deleteOwner(String vm, int expectedVersion) throws CoordinationException {
            if (failing) throw new CoordinationException("no answer");
            return true;
        }
    }

    private static final class FakeHypervisor implements Hypervisor {
        final SortedMap<String, LocalVm> instances = new TreeMap<>();
        final List<String> stopped = new ArrayList<>();

        @Override public SortedMap<String, LocalVm> instances() { return new TreeMap<>(instances); }
        @Override public LocalVm start(VmSpec spec, long epoch) {
            LocalVm vm = new LocalVm(spec.name(), epoch, spec.name() + "#1", true, "");
            instances.put(spec.name(), vm);
            return vm;
        }
        @Override public void stop(String vm, String reason) {
            stopped.add(vm);
            instances.remove(vm);
        }
        @Override public void acknowledgeExit(String vm) { instances.remove(vm); }
        @Override public void reset(String vm, String reason) { }
        @Override public GuestPing pingGuest(String vm, long timeoutMillis) { return GuestPing.NOT_MONITORED; }
        @Override public String processMarker() { return "fake-vm"; }
        @Override public List<Long> runningPids() { return List.of(); }
    }
}
