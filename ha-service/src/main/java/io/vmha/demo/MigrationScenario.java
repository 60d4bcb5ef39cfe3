package io.vmha.demo;

import io.vmha.coordination.PoolAdmin;
import io.vmha.core.MigrationRequest;
import io.vmha.core.Ownership;
import io.vmha.core.VmState;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code vmha demo --scenario migration}: live-migrates {@code --failures} VMs, each to the next host in name order,
 * through the pool's TLS tunnel, as an operator would ({@code vmha vm migrate --to}). Judged from outside the
 * daemons: each VM must end RUNNING on its target under the next epoch with the migration's id on its record,
 * and the process census must never see two running copies. With the sim driver, which cannot migrate, the
 * scenario checks that the request is refused with the reason and the VM keeps running (the fallback is a stop
 * and a cold start, which evacuations use).
 */
final class MigrationScenario {
    private final DemoPool pool;
    private final Random random;
    private final PrintStream out;
    private final long timeoutMillis;
    private final List<Double> seconds = new ArrayList<>();

    MigrationScenario(DemoPool pool, Random random, PrintStream out, long timeoutMillis) {
        this.pool = pool;
        this.random = random;
        this.out = out;
        this.timeoutMillis = timeoutMillis;
    }

    /** Seconds from each request to its VM RUNNING on the target. */
    List<Double> seconds() { return seconds; }

    Fault run(int count, Map<String, Boolean> checks) throws Exception {
        PoolAdmin.PoolStatus s = pool.status();
        List<String> names = new ArrayList<>(s.vmMap().keySet());
        Collections.shuffle(names, random);
        List<String> hosts = new ArrayList<>(s.memberMap().keySet());
        SortedMap<String, Long> affected = new TreeMap<>();
        Map<String, String> targets = new TreeMap<>();
        Map<String, String> ids = new TreeMap<>();
        Map<String, Long> requestedAt = new TreeMap<>();
        long at = Scenarios.nowMicros();
        for (String vm : names.subList(0, count)) {
            Ownership o = s.ownerMap().get(vm);
            String target = hosts.get((hosts.indexOf(o.host()) + 1) % hosts.size());
            String id = "demo-" + vm + "-" + o.epoch();
            affected.put(vm, o.epoch());
            targets.put(vm, target);
            ids.put(vm, id);
            requestedAt.put(vm, System.nanoTime());
            pool.admin().requestMigration(new MigrationRequest(vm, id, target, 0, 0, false, "demo"));
            out.println("migrate " + vm + " " + o.host() + " -> " + target + " (" + id + ")");
        }
        // Judged like a fault from the census: each migrated VM must show a new instance (its copy on the target).
        Fault fault = new Fault("live migration of " + affected.keySet(), at, affected);
        if (!pool.qemu()) return fallback(new Fault("refused live migration of " + affected.keySet(), at, new TreeMap<>(), true),
                affected, ids, checks);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        Map<String, Boolean> done = new TreeMap<>();
        while (done.size() < count && System.nanoTime() < deadline) {
            PoolAdmin.PoolStatus now = pool.status();
            for (String vm : affected.keySet()) {
                if (done.containsKey(vm)) continue;
                Ownership o = now.ownerMap().get(vm);
                if (o == null) continue;
                if (o.state() == VmState.RUNNING && o.migration() != null && o.migration().id().equals(ids.get(vm))) {
                    boolean moved = o.host().equals(targets.get(vm)) && o.epoch() == affected.get(vm) + 1;
                    done.put(vm, moved);
                    seconds.add((System.nanoTime() - requestedAt.get(vm)) / 1e9);
                    out.println("migrated " + vm + " to " + o.host() + " at epoch " + o.epoch() + (moved ? "" : " (UNEXPECTED)"));
                } else if (o.reason().startsWith("migration " + ids.get(vm) + " ")) {
                    done.put(vm, false);
                    out.println("migration of " + vm + " aborted: " + o.reason());
                }
            }
            Thread.sleep(100);
        }
        checks.put("every_migration_committed", done.size() == count && !done.containsValue(false));
        // The copies keep running on their targets: still RUNNING there a few seconds later, same epoch.
        Thread.sleep(3000);
        PoolAdmin.PoolStatus after = pool.status();
        boolean staying = true;
        for (String vm : affected.keySet()) {
            Ownership o = after.ownerMap().get(vm);
            staying &= o != null && o.state() == VmState.RUNNING && o.host().equals(targets.get(vm)) && o.epoch() == affected.get(vm) + 1;
        }
        checks.put("vms_keep_running_on_targets", staying);
        checks.put("tunnels_on_every_host", after.members().stream().allMatch(io.vmha.core.HostRecord::migrates));
        return fault;
    }

    /**
     * Chaos: a slow migration (64 KiB/s cap) is cut short by the power loss of its source or its target host, mid-stream.
     * Source lost: the VM must come back on a live host under a newer epoch (the target's copy if it had loaded, else a
     * cold restart) and never run twice. Target lost: the VM must keep running on its source, same epoch, same
     * instance; the target's own VMs recover like after any host crash.
     */
    Fault crashDuringMigration(boolean sourceDies, Map<String, Boolean> checks) throws Exception {
        if (!pool.qemu()) throw new io.vmha.core.InvalidInputException("--driver", "sim", "qemu: only qemu VMs migrate");
        PoolAdmin.PoolStatus s = pool.status();
        List<String> names = new ArrayList<>(s.vmMap().keySet());
        Collections.shuffle(names, random);
        String vm = names.get(0);
        Ownership before = s.ownerMap().get(vm);
        List<String> hosts = new ArrayList<>(s.memberMap().keySet());
        String target = hosts.get((hosts.indexOf(before.host()) + 1) % hosts.size());
        String id = "chaos-" + vm + "-" + before.epoch();
        pool.admin().requestMigration(new MigrationRequest(vm, id, target, 64 << 10, 0, false, "demo chaos"));
        out.println("migrate " + vm + " " + before.host() + " -> " + target + " at 64 KiB/s (" + id + ")");
        boolean streaming = pool.await("the stream to flow", st -> {
            Ownership o = st.ownerMap().get(vm);
            io.vmha.core.HostRecord src = st.memberMap().get(before.host());
            return o != null && o.state() == VmState.MIGRATING && src != null && src.migration(vm, id, "source")
                    .map(m -> m.phase().equals("SENDING") && m.transferredBytes() >= 0).orElse(false);
        }, timeoutMillis);
        Thread.sleep(1500); // well into the stream
        checks.put("stream_flowing_when_the_host_died", streaming && pool.status().ownerMap().get(vm).state() == VmState.MIGRATING);
        String victim = sourceDies ? before.host() : target;
        SortedMap<String, Long> affected = sourceDies ? new TreeMap<>(Map.of(vm, before.epoch()))
                : new TreeMap<>(DemoPool.ownedBy(pool.status(), target));
        long at = Scenarios.nowMicros();
        pool.host(victim).crash();
        out.println("fault: power loss of the migration's " + (sourceDies ? "source " : "target ") + victim);
        Fault fault = new Fault("power loss of the " + (sourceDies ? "source " : "target ") + victim + " while " + vm
                + " migrated", at, affected);
        boolean ok = pool.await("recovery", st -> Scenarios.recovered(st, affected) && DemoPool.allRunning(st), timeoutMillis);
        out.println(ok ? "recovered: " + StatusLine.of(pool.status()) : "NOT recovered: " + StatusLine.of(pool.status()));
        if (!sourceDies) {
            Ownership o = pool.status().ownerMap().get(vm);
            boolean stayed = o != null && o.state() == VmState.RUNNING && o.host().equals(before.host())
                    && o.epoch() == before.epoch() && o.instance().equals(before.instance());
            out.println(vm + (stayed ? " kept running on " + before.host() : " did NOT keep running on its source: " + o));
            checks.put("migrating_vm_kept_running_on_source", stayed);
        }
        return fault;
    }

    /** The sim driver cannot migrate: every request must be refused with the reason, and nothing may move. */
    private Fault fallback(Fault fault, Map<String, Long> epochs, Map<String, String> ids, Map<String, Boolean> checks) throws Exception {
        boolean refused = pool.await("the refusals", st -> ids.keySet().stream().noneMatch(vm -> pendingRequest(vm)), timeoutMillis);
        // The master's audit events are written in the background: give them a moment to land.
        boolean said = pool.await("the refusal events", st -> ids.entrySet().stream().allMatch(e -> refusalLogged(e.getKey(), e.getValue())),
                10_000);
        out.println("the sim driver cannot migrate: requests " + (said ? "refused with the reason" : "NOT refused as expected")
                + "; evacuations fall back to stop and cold start");
        checks.put("sim_migration_refused_with_reason", refused && said);
        PoolAdmin.PoolStatus after = pool.status();
        checks.put("vms_stayed_where_they_were", epochs.entrySet().stream().allMatch(e -> {
            Ownership o = after.ownerMap().get(e.getKey());
            return o != null && o.state() == VmState.RUNNING && o.epoch() == e.getValue();
        }));
        return fault;
    }

    private boolean refusalLogged(String vm, String id) {
        try {
            return pool.admin().events(0).stream().anyMatch(ev -> ev.message().contains("migration " + id + " of vm " + vm
                    + " refused") && ev.message().contains("cannot send live migrations"));
        } catch (Exception e) {
            return false;
        }
    }

    private boolean pendingRequest(String vm) {
        try {
            return pool.admin().pendingRequest(vm).isPresent();
        } catch (Exception e) {
            return true;
        }
    }
}
