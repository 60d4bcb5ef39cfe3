package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code <runDir>/<vm>.state.json}: what a restarted driver needs to adopt a running qemu.
 *
 * @param agentSocket null when the VM has no guest-agent channel
 * @param incoming    a migration target not yet activated: not a running VM, its guest must stay paused
 * @param migrationId the incoming migration's id, or the last outgoing one's; null if none
 */
record QemuStateFile(long pid, long epoch, String instanceId, String qmpSocket, String agentSocket, boolean incoming,
                     String migrationId) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static QemuStateFile read(Path file) throws IOException {
        QemuStateFile s = JSON.readValue(file.toFile(), QemuStateFile.class);
        if (s.pid <= 0 || s.instanceId == null || s.instanceId.isBlank() || s.qmpSocket == null) {
            throw new IOException(file + ": incomplete state " + s);
        }
        return s;
    }

    /** Written to a temporary file then renamed, so a crash never leaves half a state file. */
    void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    QemuStateFile asRunning() {
        return new QemuStateFile(pid, epoch, instanceId, qmpSocket, agentSocket, false, migrationId);
    }

    QemuStateFile withMigration(String id) {
        return new QemuStateFile(pid, epoch, instanceId, qmpSocket, agentSocket, incoming, id);
    }
}
