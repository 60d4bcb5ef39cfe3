package io.vmha.core;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One business-application probe of a VM, run by its owner host: a TCP connect, an HTTP GET expecting a
 * status, or a command (argv, run on the owner host) expecting exit 0. {@code failureThreshold}
 * consecutive failures trigger {@code action}. Validated by {@link VmHealth}, which knows its index.
 *
 * @param target       {@code HOST:PORT} (tcp), the URL (http), "" (exec)
 * @param expectStatus the HTTP status that counts as healthy (http only)
 * @param command      the argv (exec only), empty otherwise
 */
public record HealthProbe(Kind kind, String target, int expectStatus, List<String> command, int intervalSeconds,
                          int timeoutSeconds, int failureThreshold, Action action) {
    public enum Kind { TCP, HTTP, EXEC }

    /** What the owner host does once the threshold is reached. */
    public enum Action {
        /** Hard-reset the guest in place; shares the guest heartbeat's reset budget. */
        RESET,
        /** Stop the instance and hand the VM back to the master, which restarts it on another host. */
        RELOCATE
    }

    public static final int DEFAULT_INTERVAL_SECONDS = 5;
    public static final int DEFAULT_TIMEOUT_SECONDS = 2;
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    public static final int DEFAULT_EXPECT_STATUS = 200;

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):([0-9]{1,5})");
    private static final Pattern URL = Pattern.compile("https?://[^\\s/?#]+([/?#]\\S*)?");

    public HealthProbe {
        target = target == null ? "" : target;
        command = command == null ? List.of() : List.copyOf(command);
    }

    public static HealthProbe tcp(String hostPort, Action action) {
        return new HealthProbe(Kind.TCP, hostPort, DEFAULT_EXPECT_STATUS, List.of(), DEFAULT_INTERVAL_SECONDS,
                DEFAULT_TIMEOUT_SECONDS, DEFAULT_FAILURE_THRESHOLD, action);
    }

    /** Checks every field; {@code field} is this probe's path, e.g. {@code vm.health.probes[1]}. */
    void check(String field) {
        if (kind == null) throw new InvalidInputException(field + ".kind", null, "tcp, http or exec");
        if (action == null) throw new InvalidInputException(field + ".action", null, "reset or relocate");
        switch (kind) {
            case TCP -> {
                var m = HOST_PORT.matcher(target);
                int port = m.matches() ? Integer.parseInt(m.group(2)) : -1;
                if (port < 1 || port > 65_535) throw new InvalidInputException(field + ".tcp", target, "HOST:PORT with a port from 1 to 65535");
            }
            case HTTP -> {
                if (!URL.matcher(target).matches()) throw new InvalidInputException(field + ".http", target, "an http:// or https:// URL");
                if (expectStatus < 100 || expectStatus > 599) {
                    throw new InvalidInputException(field + ".expect-status", expectStatus, "an HTTP status from 100 to 599");
                }
            }
            case EXEC -> {
                if (command.isEmpty() || command.stream().anyMatch(a -> a == null || a.isEmpty())
                        || !command.get(0).startsWith("/")) {
                    throw new InvalidInputException(field + ".exec", command, "a non-empty argv list of non-empty strings, "
                            + "the first an absolute path");
                }
            }
        }
        if (intervalSeconds < 1 || intervalSeconds > 3600) {
            throw new InvalidInputException(field + ".interval-seconds", intervalSeconds, "an integer from 1 to 3600");
        }
        // A probe must end before the next one is due, so two never run at once against one guest.
        if (timeoutSeconds < 1 || timeoutSeconds > intervalSeconds) {
            throw new InvalidInputException(field + ".timeout-seconds", timeoutSeconds,
                    "an integer from 1 to interval-seconds (" + intervalSeconds + ")");
        }
        if (failureThreshold < 1 || failureThreshold > 100) {
            throw new InvalidInputException(field + ".failure-threshold", failureThreshold, "an integer from 1 to 100");
        }
    }

    /** One line for logs: {@code tcp 10.0.0.5:80}, {@code exec [/bin/check]}. */
    public String describe() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + (kind == Kind.EXEC ? command.toString() : target);
    }
}
