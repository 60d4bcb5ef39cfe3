package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.OutgoingVm;

import java.util.Set;

/** What qemu's {@code query-migrate} and {@code query-status} answers mean for the port's records. Pure. */
final class MigrationInfo {
    /** Run states of a guest that executes no guest code: a target may be LOADED, a COMPLETED source may stay, in these. */
    static final Set<String> PAUSED = Set.of("paused", "postmigrate", "prelaunch", "inmigrate", "finish-migrate");

    private MigrationInfo() {}

    /** An outgoing record from a source's {@code query-migrate} reply. */
    static OutgoingVm outgoing(String vm, String migrationId, JsonNode info) {
        String status = info.path("status").asText("none");
        JsonNode ram = info.path("ram");
        long transferred = ram.path("transferred").asLong(0);
        long total = ram.path("total").asLong(0);
        long remaining = ram.path("remaining").asLong(0);
        OutgoingVm.Phase phase;
        String detail = "";
        switch (status) {
            case "completed": phase = OutgoingVm.Phase.COMPLETED; break;
            case "failed":
                phase = OutgoingVm.Phase.FAILED;
                detail = "qemu: " + info.path("error-desc").asText("the migration failed, no reason given");
                break;
            case "cancelled":
                phase = OutgoingVm.Phase.CANCELLED;
                detail = "cancelled";
                break;
            default: phase = OutgoingVm.Phase.SENDING; break; // none, setup, active, device, cancelling, ...
        }
        return new OutgoingVm(vm, migrationId, phase, transferred, total, remaining, detail);
    }

    /**
     * A target's phase from its {@code query-migrate} status and its run state. LOADED only when the stream is
     * complete and the guest is paused; a running guest before activation is a broken safety rule, hence FAILED.
     */
    static IncomingVm.Phase incoming(String migrateStatus, String runState) {
        if (runState.equals("running")) return IncomingVm.Phase.FAILED;
        if (migrateStatus.equals("completed")) return PAUSED.contains(runState) ? IncomingVm.Phase.LOADED : IncomingVm.Phase.FAILED;
        if (migrateStatus.equals("failed") || migrateStatus.equals("cancelled")) return IncomingVm.Phase.FAILED;
        // qemu sets the run state (paused) a moment before the migration state (completed): still arriving.
        return PAUSED.contains(runState) ? IncomingVm.Phase.WAITING : IncomingVm.Phase.FAILED;
    }

    /** The port qemu listens on after {@code migrate-incoming tcp:127.0.0.1:0}, from {@code query-migrate}; -1 if none. */
    static int listeningPort(JsonNode info) {
        for (JsonNode address : info.path("socket-address")) {
            if (address.path("type").asText("").equals("inet") && address.path("host").asText("").equals("127.0.0.1")) {
                try {
                    int port = Integer.parseInt(address.path("port").asText(""));
                    if (port > 0 && port < 65536) return port;
                } catch (NumberFormatException ignored) {
                    // not a port: keep looking
                }
            }
        }
        return -1;
    }
}
