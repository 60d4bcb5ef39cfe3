package io.vmha.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The demo's qemu processes, found from outside by their command lines (they live in sessions of their own). */
final class QemuProcesses {
    private QemuProcesses() {}

    /** SIGKILL every qemu process whose command line mentions {@code pathPrefix}; returns how many. */
    static int kill(String pathPrefix) throws IOException {
        int killed = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : pids) {
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
                } catch (IOException gone) {
                    continue;
                }
                if (!cmdline.contains("vmha-qemu") || !cmdline.contains(pathPrefix)) continue;
                long pid = Long.parseLong(dir.getFileName().toString());
                if (ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) killed++;
            }
        }
        return killed;
    }
}
