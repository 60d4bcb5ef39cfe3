package io.vmha.core;

/**
 * Guest-heartbeat monitoring of one VM: the owner host pings the guest (its agent) every
 * {@code pingIntervalMillis}; once the instance has run {@code min-uptime}, a guest silent for
 * {@code failure} is reset in place, and a panicked guest at once; at most {@code max-resets} resets per
 * {@code reset-window}, then an alarm and no more resets. The preset gives every value; a non-null explicit
 * value overrides its one setting.
 *
 * @param failureSeconds     explicit failure interval, or null for the preset's
 * @param minUptimeSeconds   explicit minimum uptime, or null for the preset's
 * @param maxResets          explicit reset budget, or null for the preset's (0: never reset, alarm only)
 * @param resetWindowSeconds explicit budget window, or null for the preset's
 */
public record GuestHeartbeat(boolean enabled, Sensitivity sensitivity, Integer failureSeconds, Integer minUptimeSeconds,
                             Integer maxResets, Integer resetWindowSeconds, long pingIntervalMillis) {
    public static final String FIELD = "vm.health.guest-heartbeat";
    public static final long DEFAULT_PING_INTERVAL_MILLIS = 1000;
    public static final GuestHeartbeat OFF = new GuestHeartbeat(false, Sensitivity.MEDIUM, null, null, null, null,
            DEFAULT_PING_INTERVAL_MILLIS);

    public GuestHeartbeat {
        if (sensitivity == null) sensitivity = Sensitivity.MEDIUM;
        range("failure-seconds", failureSeconds, 1, 3600);
        range("min-uptime-seconds", minUptimeSeconds, 0, 86_400);
        range("max-resets", maxResets, 0, 100);
        range("reset-window-seconds", resetWindowSeconds, 10, 30 * 86_400);
        long failureMillis = 1000L * (failureSeconds != null ? failureSeconds : sensitivity.failureSeconds());
        // At least two pings per failure interval: one late answer must not look like a hang.
        if (pingIntervalMillis < 100 || pingIntervalMillis > failureMillis / 2) {
            throw new InvalidInputException(FIELD + ".ping-interval-ms", pingIntervalMillis,
                    "100 to half the failure interval (" + failureMillis / 2 + " ms)");
        }
    }

    /** Enabled with a preset and its values. */
    public static GuestHeartbeat preset(Sensitivity sensitivity) {
        return new GuestHeartbeat(true, sensitivity, null, null, null, null, DEFAULT_PING_INTERVAL_MILLIS);
    }

    private static void range(String key, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw new InvalidInputException(FIELD + "." + key, value, "an integer from " + min + " to " + max);
        }
    }

    public long effectiveFailureMillis() {
        return 1000L * (failureSeconds != null ? failureSeconds : sensitivity.failureSeconds());
    }

    public long effectiveMinUptimeMillis() {
        return 1000L * (minUptimeSeconds != null ? minUptimeSeconds : sensitivity.minUptimeSeconds());
    }

    public int effectiveMaxResets() { return maxResets != null ? maxResets : sensitivity.maxResets(); }

    public long effectiveResetWindowMillis() {
        return 1000L * (resetWindowSeconds != null ? resetWindowSeconds : sensitivity.resetWindowSeconds());
    }
}
