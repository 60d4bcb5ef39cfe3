package io.vmha.core;

import io.vmha.core.port.Clock;
import io.vmha.core.port.Coordination;
import io.vmha.core.port.CoordinationException;
import io.vmha.core.port.HeartbeatDisk;
import io.vmha.core.port.Journal;

import java.util.List;
import java.util.function.Supplier;

/**
 * Runs the pool-master role on one host: while this host holds mastership and is ACTIVE, each
 * {@link #step()} plans with {@link MasterLogic} and applies the plan by compare-and-set. A write that
 * loses its race is simply planned again from the next snapshot.
 */
public final class MasterAgent {
    private final String host;
    private final Coordination coordination;
    private final Supplier<HostState> hostState;
    private final Clock clock;
    private final Journal journal;
    private final MasterLogic logic;
    private final StateMachine<MasterState> state;
    private final HeartbeatDisk disk;

    public MasterAgent(String host, Coordination coordination, Supplier<HostState> hostState, Clock clock,
                       Journal journal, Timings timings, RestartPolicy policy) {
        this(host, coordination, new NoHeartbeatDisk(), hostState, clock, journal, timings, policy);
    }

    public MasterAgent(String host, Coordination coordination, HeartbeatDisk disk, Supplier<HostState> hostState,
                       Clock clock, Journal journal, Timings timings, RestartPolicy policy) {
        this(host, coordination, disk, hostState, clock, journal, timings, policy, MigrationPolicy.DEFAULT, () -> {
            throw new IllegalStateException("this master has no secret source for migration tokens");
        });
    }

    /** @param secrets one-time tokens for the migration tunnel (unpredictable: a SecureRandom in the daemon) */
    public MasterAgent(String host, Coordination coordination, HeartbeatDisk disk, Supplier<HostState> hostState,
                       Clock clock, Journal journal, Timings timings, RestartPolicy policy, MigrationPolicy migrations,
                       Supplier<String> secrets) {
        this.host = host;
        this.disk = disk;
        this.coordination = coordination;
        this.hostState = hostState;
        this.clock = clock;
        this.journal = journal;
        this.logic = new MasterLogic(host, timings, policy, journal, migrations, secrets);
        this.state = new StateMachine<>(host, "master role", MasterState.STANDBY, MasterState.TRANSITIONS, journal);
    }

    public MasterState state() { return state.state(); }

    private io.vmha.core.port.MigrationOutcomes outcomes = io.vmha.core.port.MigrationOutcomes.NONE;

    /** Report every migration this master ends (commit or abort) to {@code outcomes}. Call before the first step. */
    public void reportMigrations(io.vmha.core.port.MigrationOutcomes outcomes) { this.outcomes = outcomes; }

    public void step() {
        boolean lead = coordination.isMaster() && hostState.get() == HostState.ACTIVE;
        if (!lead) {
            if (state.transition(MasterState.STANDBY, "mastership lost or host not active")) logic.reset();
            return;
        }
        if (state.transition(MasterState.LEADING, "elected pool master")) {
            coordination.event(host, "became pool master");
        }
        List<MasterAction> plan = logic.plan(coordination.view(), disk.view(), clock.monotonicMillis(), clock.wallMillis());
        // As in HostAgent: after one failed write the rest of this step's writes wait for the next step (each may
        // block up to the adapter's bound, and this loop also feeds the host's fence guard). Pills still go out.
        boolean writeFailed = false;
        for (MasterAction action : plan) {
            if (action instanceof MasterAction.Poison p) {
                disk.poison(p.pill());
                journal.record("master", "poison pill for " + p.pill().target() + " (" + p.why() + ")");
                coordination.event("master@" + host, "poison pill for " + p.pill().target() + " (" + p.why() + ")");
                continue;
            }
            if (writeFailed) continue;
            try {
                boolean done;
                if (action instanceof MasterAction.WriteOwner w) {
                    done = coordination.writeOwner(w.next(), w.expectedVersion());
                } else if (action instanceof MasterAction.DeleteRequest d) {
                    done = coordination.deleteRequest(d.vm(), d.expectedVersion());
                } else {
                    done = coordination.deleteOwner(action.vm(), ((MasterAction.DeleteOwner) action).expectedVersion());
                }
                if (done && action instanceof MasterAction.WriteOwner w) migrationEnded(w);
                if (done) {
                    String line = describe(action);
                    journal.record("master", line);
                    coordination.event("master@" + host, line);
                }
            } catch (CoordinationException e) {
                writeFailed = true;
                journal.record("master", "vm " + action.vm() + ": write failed, retried next step: " + e.getMessage());
            }
        }
        if (logic.wantsToYield()) {
            coordination.event("master@" + host, "yielding mastership: cannot read the heartbeat disk");
            coordination.yieldMastership();
        }
    }

    /** A write that ends a migration: a commit (STARTING on the target, carrying the plan) or an abort. */
    private void migrationEnded(MasterAction.WriteOwner w) {
        Ownership next = w.next();
        String id;
        String result;
        if (next.state() == VmState.STARTING && next.migration() != null) {
            id = next.migration().id();
            result = io.vmha.core.port.MigrationOutcomes.SUCCEEDED;
        } else if (next.state() == VmState.RUNNING && next.reason().startsWith("migration ") && next.reason().contains(" aborted: ")) {
            id = next.reason().substring("migration ".length(), next.reason().indexOf(' ', "migration ".length()));
            result = next.reason().contains("cancelled by an operator") ? io.vmha.core.port.MigrationOutcomes.CANCELLED
                    : io.vmha.core.port.MigrationOutcomes.FAILED;
        } else {
            return;
        }
        long seen = logic.migrationSeenAt(id);
        outcomes.ended(next.vm(), id, result, seen < 0 ? 0 : clock.monotonicMillis() - seen);
    }

    private static String describe(MasterAction action) {
        if (action instanceof MasterAction.WriteOwner w) {
            return "vm " + w.vm() + " => " + w.next().state() + (w.next().host().isEmpty() ? "" : " on " + w.next().host())
                    + " epoch " + w.next().epoch() + " (" + w.why() + ")";
        }
        if (action instanceof MasterAction.DeleteRequest) return "vm " + action.vm() + " request done: " + action.why();
        return "vm " + action.vm() + " record deleted (" + action.why() + ")";
    }
}
