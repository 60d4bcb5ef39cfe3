package io.vmha.core;

import io.vmha.core.port.Coordination;
import io.vmha.core.port.CoordinationException;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import io.vmha.core.port.LiveMigration;
import io.vmha.core.port.MigrationOptions;
import io.vmha.core.port.MigrationTunnel;

import java.util.Optional;

/**
 * Carries out a host's migration actions ({@link HostMigration} decides them). The two that let a copy run,
 * {@link HostAction.Activate} and {@link HostAction.ResumeAfterMigration}, first re-read the owner record from the
 * coordinator: the cached view may lag, and only the record's current version says which end won.
 */
final class MigrationActions {
    private final String host;
    private final Coordination coordination;
    private final LiveMigration driver;
    private final MigrationTunnel tunnel;
    private final Journal journal;

    MigrationActions(String host, Coordination coordination, LiveMigration driver, MigrationTunnel tunnel, Journal journal) {
        this.host = host;
        this.coordination = coordination;
        this.driver = driver;
        this.tunnel = tunnel;
        this.journal = journal;
    }

    static boolean handles(HostAction action) {
        return action instanceof HostAction.PrepareIncoming || action instanceof HostAction.Activate
                || action instanceof HostAction.DiscardIncoming || action instanceof HostAction.StartOutgoing
                || action instanceof HostAction.CancelOutgoing || action instanceof HostAction.ResumeAfterMigration
                || action instanceof HostAction.ClearOutgoing;
    }

    void execute(HostAction action) throws CoordinationException, HypervisorException {
        if (action instanceof HostAction.PrepareIncoming p) {
            MigrationPlan m = p.plan();
            int port = driver.prepareIncoming(p.spec(), p.epoch(), m.id());
            tunnel.expect(m.id(), m.token(), p.source(), port);
            journal.record(host, "vm " + p.spec().name() + " waits for migration " + m.id() + " from " + p.source()
                    + " (paused copy for epoch " + p.epoch() + ")");
        } else if (action instanceof HostAction.Activate a) {
            activate(a);
        } else if (action instanceof HostAction.DiscardIncoming d) {
            driver.discardIncoming(d.vm(), d.why());
            tunnel.close(d.migrationId());
            journal.record(host, "vm " + d.vm() + " paused copy of migration " + d.migrationId() + " discarded (" + d.why() + ")");
        } else if (action instanceof HostAction.StartOutgoing s) {
            MigrationPlan m = s.plan();
            int port = tunnel.open(m.id(), m.token(), m.target(), s.address());
            try {
                driver.startOutgoing(s.vm(), m.id(), port, new MigrationOptions(m.bandwidthBytesPerSecond(), m.maxDowntimeMillis()));
            } catch (HypervisorException | RuntimeException e) {
                tunnel.close(m.id());
                throw e;
            }
            journal.record(host, "vm " + s.vm() + " migration " + m.id() + " to " + m.target() + " sending");
        } else if (action instanceof HostAction.CancelOutgoing c) {
            driver.cancelOutgoing(c.vm(), c.why());
            tunnel.close(c.migrationId());
            journal.record(host, "vm " + c.vm() + " migration " + c.migrationId() + " cancelled (" + c.why() + ")");
        } else if (action instanceof HostAction.ResumeAfterMigration r) {
            resume(r);
        } else if (action instanceof HostAction.ClearOutgoing c) {
            driver.clearOutgoing(c.vm());
            tunnel.close(c.migrationId());
        }
    }

    private void activate(HostAction.Activate a) throws CoordinationException, HypervisorException {
        Optional<Versioned<Ownership>> fresh = coordination.readOwner(a.vm());
        if (fresh.isEmpty() || !fresh.get().value().ownedBy(host) || fresh.get().value().epoch() != a.epoch()
                || !fresh.get().value().commits(a.migrationId())) {
            journal.record(host, "vm " + a.vm() + " received copy not run: migration " + a.migrationId()
                    + " no longer commits to this host at epoch " + a.epoch());
            return;
        }
        driver.activate(a.vm());
        tunnel.close(a.migrationId());
        journal.record(host, "vm " + a.vm() + " runs at epoch " + a.epoch() + " (live migration " + a.migrationId() + ")");
    }

    private void resume(HostAction.ResumeAfterMigration r) throws CoordinationException, HypervisorException {
        Optional<Versioned<Ownership>> fresh = coordination.readOwner(r.vm());
        if (fresh.isEmpty() || !fresh.get().value().ownedBy(host) || fresh.get().value().epoch() != r.epoch()
                || fresh.get().value().state() != VmState.RUNNING) {
            journal.record(host, "vm " + r.vm() + " not resumed: the record no longer keeps it here at epoch " + r.epoch());
            return;
        }
        driver.resumeAfterMigration(r.vm());
        driver.clearOutgoing(r.vm());
        tunnel.close(r.migrationId());
        journal.record(host, "vm " + r.vm() + " resumed here after migration " + r.migrationId() + " was aborted");
    }
}
