package io.vmha.cli;

import io.vmha.coordination.PoolAdmin;
import io.vmha.core.HostRecord;
import io.vmha.core.MigrationStatus;
import io.vmha.core.Ownership;
import io.vmha.core.VmState;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Live migrations under way as {@code vmha status} and {@code vmha vm migrate --wait} show them. */
final class MigrationProgress {
    private MigrationProgress() {}

    /** The source's published status of the VM's migration in flight, if it publishes one. */
    static Optional<MigrationStatus> sourceStatus(PoolAdmin.PoolStatus s, Ownership o) {
        if (o.state() != VmState.MIGRATING) return Optional.empty();
        HostRecord source = s.memberMap().get(o.host());
        return source == null ? Optional.empty() : source.migration(o.vm(), o.migration().id(), MigrationStatus.SOURCE);
    }

    /** The target's published phase (WAITING, LOADED, FAILED), or "not ready". */
    static String targetPhase(PoolAdmin.PoolStatus s, Ownership o) {
        HostRecord target = s.memberMap().get(o.migration().target());
        return target == null ? "not a member" : target.migration(o.vm(), o.migration().id(), MigrationStatus.TARGET)
                .map(MigrationStatus::phase).orElse("not ready");
    }

    /** "v1 r1 h1 -> h2: SENDING 512/1024 MiB (50 %), target WAITING". */
    static String line(PoolAdmin.PoolStatus s, Ownership o) {
        Optional<MigrationStatus> src = sourceStatus(s, o);
        String progress = src.map(m -> m.phase() + " " + (m.transferredBytes() >> 20) + "/" + (m.totalBytes() >> 20) + " MiB"
                + (m.percent() < 0 ? "" : " (" + m.percent() + " %)")).orElse("not sending yet");
        return o.vm() + " " + o.migration().id() + " " + o.host() + " -> " + o.migration().target() + ": " + progress
                + ", target " + targetPhase(s, o);
    }

    /** Lines for {@code vmha status}: the tunnel of each host and every migration in flight. */
    static List<String> statusLines(PoolAdmin.PoolStatus s) {
        List<String> out = new ArrayList<>();
        for (HostRecord h : s.members()) {
            if (h.migrates()) out.add("tunnel " + h.name() + ": " + h.tunnel());
        }
        for (Ownership o : s.owners()) {
            if (o.state() == VmState.MIGRATING) out.add("migrating " + line(s, o));
        }
        return out;
    }
}
