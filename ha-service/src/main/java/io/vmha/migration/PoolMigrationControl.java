package io.vmha.migration;

import io.vmha.coordination.PoolAdmin;
import io.vmha.core.MigrationRequest;
import io.vmha.core.port.CoordinationException;
import io.vmha.jmx.MigrationControl;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The JMX (and Jolokia, and OCF agent) entry point to live migration: writes the same request {@code vmha vm migrate}
 * writes, for the master to act on. Returns at once; the outcome shows in the owner record and the events.
 */
public final class PoolMigrationControl implements MigrationControl {
    private final PoolAdmin admin;
    private final String by;

    public PoolMigrationControl(PoolAdmin admin, String by) {
        this.admin = admin;
        this.by = by;
    }

    @Override public String migrate(String vm, String toHost) {
        String id = "j" + Long.toString(System.currentTimeMillis(), 36) + Integer.toString(ThreadLocalRandom.current().nextInt(46_656), 36);
        request(new MigrationRequest(vm, id, toHost == null ? "" : toHost, 0, 0, false, by));
        return "migration " + id + " of vm " + vm + (toHost == null || toHost.isEmpty() ? "" : " to " + toHost) + " requested";
    }

    @Override public String cancel(String vm) {
        String id = "j" + Long.toString(System.currentTimeMillis(), 36);
        request(new MigrationRequest(vm, id, "", 0, 0, true, by));
        return "cancel of vm " + vm + "'s migration requested";
    }

    @Override public boolean available() { return true; }

    private void request(MigrationRequest r) {
        try {
            admin.requestMigration(r);
        } catch (CoordinationException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
