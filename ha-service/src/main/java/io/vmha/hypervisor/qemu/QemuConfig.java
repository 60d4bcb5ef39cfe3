package io.vmha.hypervisor.qemu;

import io.vmha.core.InvalidInputException;

import java.nio.file.Path;

/**
 * The qemu driver's settings for one host.
 *
 * @param binary            the qemu system emulator (a name on PATH or an absolute path)
 * @param runDir            QMP and guest-agent sockets, pid files, per-VM state files and qemu logs; must
 *                          survive a daemon restart (that is how running VMs are adopted)
 * @param stopTimeoutMillis how long {@code stop} waits after QMP {@code quit} before SIGKILL
 * @param startTimeoutMillis how long {@code start} waits for qemu's monitor and a running guest
 */
public record QemuConfig(String binary, Path runDir, long stopTimeoutMillis, long startTimeoutMillis) {
    public static final String DEFAULT_BINARY = "qemu-system-x86_64";
    public static final long DEFAULT_STOP_TIMEOUT_MILLIS = 2_000;
    public static final long DEFAULT_START_TIMEOUT_MILLIS = 10_000;
    /** Unix socket paths are limited to 107 bytes; leave room for "/" + a 63-char VM name + ".qmp". */
    public static final int MAX_RUN_DIR_CHARS = 107 - 1 - 63 - 4;

    public QemuConfig {
        if (binary == null || binary.isBlank() || binary.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidInputException("hypervisor.qemu.binary", binary,
                    "a program name or absolute path without spaces, e.g. " + DEFAULT_BINARY);
        }
        if (runDir == null || !runDir.isAbsolute()) {
            throw new InvalidInputException("hypervisor.qemu.run-dir", runDir, "an absolute directory path");
        }
        runDir = runDir.normalize();
        if (runDir.toString().length() > MAX_RUN_DIR_CHARS) {
            throw new InvalidInputException("hypervisor.qemu.run-dir", runDir.toString(), "at most "
                    + MAX_RUN_DIR_CHARS + " characters (Unix socket paths in it are limited to 107 bytes)");
        }
        if (stopTimeoutMillis < 100 || stopTimeoutMillis > 600_000) {
            throw new InvalidInputException("hypervisor.qemu.stop-timeout-ms", stopTimeoutMillis, "100 to 600000");
        }
        if (startTimeoutMillis < 1_000 || startTimeoutMillis > 600_000) {
            throw new InvalidInputException("hypervisor.qemu.start-timeout-ms", startTimeoutMillis, "1000 to 600000");
        }
    }

    /** The defaults, in {@code runDir}. */
    public static QemuConfig defaults(Path runDir) {
        return new QemuConfig(DEFAULT_BINARY, runDir, DEFAULT_STOP_TIMEOUT_MILLIS, DEFAULT_START_TIMEOUT_MILLIS);
    }
}
