package io.vmha.hypervisor.libvirt;

import io.vmha.core.InvalidInputException;

import java.nio.file.Path;

/**
 * How the {@code libvirt} driver reaches libvirtd and how fast it watches. Every bad value is refused
 * with an {@link InvalidInputException} naming the field ({@code hypervisor.libvirt.<key>}).
 *
 * @param uri                    libvirt connection URI, e.g. {@code qemu:///system}
 * @param virsh                  the virsh binary (a name on PATH or an absolute path)
 * @param runDirectory           this driver's files: generated domain XML ({@code domains/}) and logs
 *                               ({@code logs/virsh-event.log}, the event stream's stderr)
 * @param pidDirectory           where libvirtd writes {@code <domain>.pid} of each running qemu
 *                               ({@code /run/libvirt/qemu} for {@code qemu:///system})
 * @param eventRestartMinMillis  first wait before restarting a dead event stream; doubles per failure
 * @param eventRestartMaxMillis  cap of that wait
 * @param pollIntervalMillis     reconciliation poll: the backstop for events lost while the stream was down
 * @param stopTimeoutMillis      how long {@code stop} waits for a destroyed domain to be gone
 * @param commandTimeoutMillis   a virsh call that takes longer is killed and fails
 */
public record LibvirtConfig(String uri, String virsh, Path runDirectory, Path pidDirectory,
                            long eventRestartMinMillis, long eventRestartMaxMillis, long pollIntervalMillis,
                            long stopTimeoutMillis, long commandTimeoutMillis) {
    public static final String PREFIX = "hypervisor.libvirt.";
    public static final String DEFAULT_URI = "qemu:///system";
    public static final String DEFAULT_VIRSH = "virsh";
    public static final Path DEFAULT_PID_DIRECTORY = Path.of("/run/libvirt/qemu");
    public static final long DEFAULT_EVENT_RESTART_MIN_MILLIS = 100;
    public static final long DEFAULT_EVENT_RESTART_MAX_MILLIS = 5_000;
    public static final long DEFAULT_POLL_INTERVAL_MILLIS = 5_000;
    public static final long DEFAULT_STOP_TIMEOUT_MILLIS = 10_000;
    public static final long DEFAULT_COMMAND_TIMEOUT_MILLIS = 30_000;

    public LibvirtConfig {
        if (uri == null || !uri.matches("[a-z][a-z0-9+.-]*:///?[^\\s]*")) {
            throw new InvalidInputException(PREFIX + "uri", uri, "a libvirt URI such as " + DEFAULT_URI);
        }
        if (virsh == null || virsh.isBlank() || virsh.contains("\0")) {
            throw new InvalidInputException(PREFIX + "virsh", virsh, "the virsh binary, e.g. " + DEFAULT_VIRSH);
        }
        if (runDirectory == null) throw new InvalidInputException(PREFIX + "run-directory", null, "a directory path");
        if (pidDirectory == null) throw new InvalidInputException(PREFIX + "pid-directory", null, "a directory path");
        range("event-restart-min-ms", eventRestartMinMillis, 10, 60_000);
        range("event-restart-max-ms", eventRestartMaxMillis, eventRestartMinMillis, 600_000);
        range("poll-interval-ms", pollIntervalMillis, 100, 3_600_000);
        range("stop-timeout-ms", stopTimeoutMillis, 100, 600_000);
        range("command-timeout-ms", commandTimeoutMillis, 1_000, 600_000);
    }

    /** Every default, with this driver's files under {@code runDirectory}. */
    public static LibvirtConfig defaults(Path runDirectory) {
        return new LibvirtConfig(DEFAULT_URI, DEFAULT_VIRSH, runDirectory, DEFAULT_PID_DIRECTORY,
                DEFAULT_EVENT_RESTART_MIN_MILLIS, DEFAULT_EVENT_RESTART_MAX_MILLIS, DEFAULT_POLL_INTERVAL_MILLIS,
                DEFAULT_STOP_TIMEOUT_MILLIS, DEFAULT_COMMAND_TIMEOUT_MILLIS);
    }

    public LibvirtConfig withPollIntervalMillis(long millis) {
        return new LibvirtConfig(uri, virsh, runDirectory, pidDirectory, eventRestartMinMillis, eventRestartMaxMillis,
                millis, stopTimeoutMillis, commandTimeoutMillis);
    }

    public LibvirtConfig withVirsh(String binary) {
        return new LibvirtConfig(uri, binary, runDirectory, pidDirectory, eventRestartMinMillis, eventRestartMaxMillis,
                pollIntervalMillis, stopTimeoutMillis, commandTimeoutMillis);
    }

    public Path domainsDirectory() { return runDirectory.resolve("domains"); }

    public Path logsDirectory() { return runDirectory.resolve("logs"); }

    private static void range(String key, long value, long min, long max) {
        if (value < min || value > max) throw new InvalidInputException(PREFIX + key, value, min + " to " + max);
    }
}
