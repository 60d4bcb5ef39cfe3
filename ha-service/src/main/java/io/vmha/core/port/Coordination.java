package io.vmha.core.port;

import io.vmha.core.HostRecord;
import io.vmha.core.Ownership;
import io.vmha.core.PoolView;

/**
 * One host's handle on the pool's coordinator (ZooKeeper in production, memory in the simulator).
 * Writes are synchronous and fail with {@link CoordinationException} when the coordinator cannot
 * be reached; a version conflict is not an error but a {@code false} return.
 */
public interface Coordination {
    /** The connection as last reported; never blocks. */
    Connection connection();

    /** The latest snapshot of the pool; may lag the coordinator slightly, never blocks. */
    PoolView view();

    /** True while this host holds pool mastership (and its session is connected). */
    boolean isMaster();

    /**
     * Read {@code owners/<vm>} straight from the coordinator, up to date with every write acknowledged
     * before the call (no cache): the fencing-token check before a start.
     */
    java.util.Optional<io.vmha.core.Versioned<Ownership>> readOwner(String vm) throws CoordinationException;

    /**
     * Give up pool mastership (this master cannot judge: e.g. it cannot read the heartbeat disk) and stand
     * again behind the other candidates. No-op when not master.
     */
    void yieldMastership();

    /** Create or replace this host's ephemeral membership record. */
    void publishHost(HostRecord record) throws CoordinationException;

    /** Compare-and-set {@code owners/<vm>}: {@code expectedVersion} {@link io.vmha.core.Versioned#ABSENT} creates. */
    boolean writeOwner(Ownership next, int expectedVersion) throws CoordinationException;

    /** Compare-and-delete an operator's request {@code migrations/<vm>} once the master has acted on it. */
    boolean deleteRequest(String vm, int expectedVersion) throws CoordinationException;

    /** Compare-and-delete {@code owners/<vm>}. */
    boolean deleteOwner(String vm, int expectedVersion) throws CoordinationException;

    /** Append to the pool's bounded audit log ({@code events}); best effort. */
    void event(String source, String message);
}
