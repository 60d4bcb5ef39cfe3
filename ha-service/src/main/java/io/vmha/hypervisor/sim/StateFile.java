package io.vmha.hypervisor.sim;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** {@code <stateDir>/<vm>.json}: what a restarted driver needs to adopt a running instance. */
record StateFile(long pid, long epoch, String instanceId) {
    static final String SUFFIX = ".json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path path(Path stateDir, String vm) {
        return stateDir.resolve(vm + SUFFIX);
    }

    static StateFile read(Path file) throws IOException {
        StateFile s = JSON.readValue(file.toFile(), StateFile.class);
        if (s.pid <= 0 || s.instanceId == null || s.instanceId.isBlank()) {
            throw new IOException(file + ": incomplete state " + s);
        }
        return s;
    }

    /** Written to a temporary file then renamed, so a crash never leaves half a state file. */
    void write(Path stateDir, String vm) throws IOException {
        Path tmp = stateDir.resolve(vm + SUFFIX + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, path(stateDir, vm), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
