package io.vmha.simulation;

import io.vmha.core.VmSpec;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.LiveMigration;
import io.vmha.core.port.LocalVm;
import io.vmha.core.port.MigrationOptions;
import io.vmha.core.port.MigrationTunnel;
import io.vmha.core.port.OutgoingVm;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One machine's live migration (the hypervisor's part) and its daemon's tunnel end, on the virtual clock. The
 * ledger — what really executes — follows the safety contract of {@link LiveMigration}: an incoming copy enters it
 * only on {@link #activate}; a source leaves it when its stream completes (paused) and re-enters it only on
 * {@link #resumeAfterMigration}.
 */
final class SimMigration implements LiveMigration, MigrationTunnel {
    private final SimHost host;
    private final Simulation sim;
    private final SortedMap<String, IncomingVm> incoming = new TreeMap<>();
    private final SortedMap<String, OutgoingVm> outgoing = new TreeMap<>();
    private final SortedMap<String, String> openTunnels = new TreeMap<>();
    private int ports = 40_000;

    SimMigration(SimHost host, Simulation sim) {
        this.host = host;
        this.sim = sim;
    }

    boolean daemonAlive() { return host.machineUp() && host.daemonGeneration() >= 0; }

    boolean daemonPaused() { return host.paused(); }

    // ---- MigrationTunnel -------------------------------------------------------------------------

    @Override public String endpoint() { return host.name() + ":7450 sim"; }

    @Override public void expect(String migrationId, String token, String sourceHost, int localPort) {
        sim.streams().expect(migrationId, host.name(), token, sourceHost);
    }

    @Override public int open(String migrationId, String token, String targetHost, String address) {
        openTunnels.put(migrationId, targetHost + " " + token);
        return ++ports;
    }

    @Override public void close(String migrationId) {
        openTunnels.remove(migrationId);
        sim.streams().forget(migrationId);
    }

    // ---- LiveMigration: target -------------------------------------------------------------------

    @Override
    public int prepareIncoming(VmSpec spec, long epoch, String migrationId) throws HypervisorException {
        if (host.instance(spec.name()) != null || incoming.containsKey(spec.name())) {
            throw new HypervisorException("vm " + spec.name() + ": already has an instance on " + host.name());
        }
        incoming.put(spec.name(), new IncomingVm(spec.name(), migrationId, epoch, IncomingVm.Phase.WAITING, ""));
        return ++ports;
    }

    @Override public SortedMap<String, IncomingVm> incoming() { return new TreeMap<>(incoming); }

    @Override
    public LocalVm activate(String vm) throws HypervisorException {
        IncomingVm inc = incoming.get(vm);
        if (inc == null || inc.phase() != IncomingVm.Phase.LOADED) {
            throw new HypervisorException("vm " + vm + ": no loaded incoming copy on " + host.name() + " (" + inc + ")");
        }
        incoming.remove(vm);
        return host.adoptMigrated(vm, inc.epoch());
    }

    @Override
    public void discardIncoming(String vm, String why) {
        IncomingVm inc = incoming.remove(vm);
        if (inc == null) return;
        SimStreams.Stream s = sim.streams().streamOf(vm, inc.migrationId());
        if (s != null) sim.streams().breakStream(s, "target discarded its copy");
    }

    void loaded(SimStreams.Stream s) {
        IncomingVm inc = incoming.get(s.vm);
        if (inc == null || !inc.migrationId().equals(s.id)) return;
        incoming.put(s.vm, new IncomingVm(s.vm, s.id, inc.epoch(), IncomingVm.Phase.LOADED, ""));
        sim.log().record(host.name(), "hypervisor: vm " + s.vm + " copy of migration " + s.id + " loaded (paused)");
        host.wakeDaemon();
    }

    // ---- LiveMigration: source -------------------------------------------------------------------

    @Override
    public void startOutgoing(String vm, String migrationId, int port, MigrationOptions options) throws HypervisorException {
        LocalVm inst = host.instance(vm);
        if (inst == null || !inst.running()) throw new HypervisorException("vm " + vm + ": no running instance on " + host.name());
        String tunnel = openTunnels.entrySet().stream().filter(e -> e.getKey().equals(migrationId)).map(java.util.Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new HypervisorException("migration " + migrationId + ": no tunnel opened"));
        String target = tunnel.split(" ")[0];
        SimHost to = sim.hosts().get(target);
        String refused = to == null ? "no host " + target : sim.streams().admit(migrationId, target, tunnel.split(" ")[1], host.name());
        SimMigration other = to == null ? null : to.liveMigration();
        if (refused == null && (other == null || !other.daemonAlive())) refused = "target " + target + " unreachable";
        if (refused != null) {
            outgoing.put(vm, new OutgoingVm(vm, migrationId, OutgoingVm.Phase.FAILED, 0, 0, 0, "tunnel refused: " + refused));
            sim.log().record(host.name(), "hypervisor: vm " + vm + " migration " + migrationId + " failed: tunnel refused: " + refused);
            return;
        }
        long total = sim.coordinator().vms().get(vm).memoryMib() << 20;
        outgoing.put(vm, new OutgoingVm(vm, migrationId, OutgoingVm.Phase.SENDING, 0, total, total, ""));
        sim.streams().begin(new SimStreams.Stream(vm, migrationId, this, other, total));
    }

    @Override public SortedMap<String, OutgoingVm> outgoing() { return new TreeMap<>(outgoing); }

    @Override
    public void cancelOutgoing(String vm, String why) {
        OutgoingVm out = outgoing.get(vm);
        if (out == null || out.phase() != OutgoingVm.Phase.SENDING) return;
        SimStreams.Stream s = sim.streams().streamOf(vm, out.migrationId());
        outgoing.put(vm, new OutgoingVm(vm, out.migrationId(), OutgoingVm.Phase.CANCELLED, out.transferredBytes(),
                out.totalBytes(), out.remainingBytes(), why));
        if (s != null) sim.streams().breakStream(s, "cancelled by the source");
    }

    @Override
    public void resumeAfterMigration(String vm) throws HypervisorException {
        OutgoingVm out = outgoing.get(vm);
        LocalVm inst = host.instance(vm);
        if (out == null || out.phase() != OutgoingVm.Phase.COMPLETED || inst == null || !inst.running()) {
            throw new HypervisorException("vm " + vm + ": nothing paused after a migration on " + host.name());
        }
        sim.ledger().started(vm, inst.instanceId(), host.name());
        sim.log().record(host.name(), "hypervisor: vm " + vm + " instance " + inst.instanceId() + " resumed");
    }

    @Override public void clearOutgoing(String vm) { outgoing.remove(vm); }

    void progress(SimStreams.Stream s) {
        OutgoingVm out = outgoing.get(s.vm);
        if (out == null || !out.migrationId().equals(s.id)) return;
        outgoing.put(s.vm, new OutgoingVm(s.vm, s.id, OutgoingVm.Phase.SENDING, s.sentBytes, s.totalBytes,
                s.totalBytes - s.sentBytes, ""));
    }

    void completed(SimStreams.Stream s) {
        OutgoingVm out = outgoing.get(s.vm);
        if (out == null || !out.migrationId().equals(s.id)) return;
        outgoing.put(s.vm, new OutgoingVm(s.vm, s.id, OutgoingVm.Phase.COMPLETED, s.totalBytes, s.totalBytes, 0, ""));
        LocalVm inst = host.instance(s.vm);
        if (inst != null && inst.running()) sim.ledger().stopped(s.vm, inst.instanceId()); // paused: executes nothing
        sim.log().record(host.name(), "hypervisor: vm " + s.vm + " migration " + s.id + " stream completed; paused here");
        host.wakeDaemon();
    }

    void broken(SimStreams.Stream s, String why) {
        OutgoingVm out = outgoing.get(s.vm);
        if (s.source == this && out != null && out.migrationId().equals(s.id) && out.phase() == OutgoingVm.Phase.SENDING) {
            outgoing.put(s.vm, new OutgoingVm(s.vm, s.id, OutgoingVm.Phase.FAILED, out.transferredBytes(), out.totalBytes(),
                    out.remainingBytes(), why));
            sim.log().record(host.name(), "hypervisor: vm " + s.vm + " migration " + s.id + " failed (" + why + "); runs on here");
        }
        IncomingVm inc = incoming.get(s.vm);
        if (s.target == this && inc != null && inc.migrationId().equals(s.id) && inc.phase() == IncomingVm.Phase.WAITING) {
            incoming.put(s.vm, new IncomingVm(s.vm, s.id, inc.epoch(), IncomingVm.Phase.FAILED, why));
            sim.log().record(host.name(), "hypervisor: vm " + s.vm + " incoming migration " + s.id + " failed (" + why + ")");
        }
        host.wakeDaemon();
    }

    /** The VM's instance here was stopped: its outgoing stream ends with it. */
    void stopped(String vm) {
        OutgoingVm out = outgoing.remove(vm);
        if (out == null) return;
        SimStreams.Stream s = sim.streams().streamOf(vm, out.migrationId());
        if (s != null) sim.streams().breakStream(s, "source instance stopped");
    }

    /** The machine crashed or the guard killed everything: paused copies die too. */
    void killAll(String why) {
        for (String vm : new java.util.ArrayList<>(incoming.keySet())) discardIncoming(vm, why);
        for (String vm : new java.util.ArrayList<>(outgoing.keySet())) stopped(vm);
    }
}
