package io.vmha.core;

/**
 * Guest-heartbeat presets, like vSphere VM monitoring's low/medium/high, tuned for vmha's faster targets
 * (vSphere's "high" waits 30 s; Pacemaker's VirtualDomain polls every 10 s). Explicit values in
 * {@link GuestHeartbeat} override single settings of the preset.
 *
 * <pre>
 * preset | failure | min uptime | max resets | reset window
 * high   |   3 s   |    20 s    |     3      |   1 h
 * medium |   8 s   |    60 s    |     3      |  24 h
 * low    |  20 s   |   120 s    |     3      |   7 d
 * </pre>
 * With the default 1 s ping interval, "medium" detects a hung guest in at most about 9 s.
 */
public enum Sensitivity implements Described {
    LOW(20, 120, 3, 7 * 86_400, "slow guests or noisy hosts: few false resets"),
    MEDIUM(8, 60, 3, 86_400, "the default: a hang is caught within about 9 s"),
    HIGH(3, 20, 3, 3_600, "fast detection for guests whose agent always answers promptly");

    private final int failureSeconds;
    private final int minUptimeSeconds;
    private final int maxResets;
    private final int resetWindowSeconds;
    private final String description;

    Sensitivity(int failureSeconds, int minUptimeSeconds, int maxResets, int resetWindowSeconds, String description) {
        this.failureSeconds = failureSeconds;
        this.minUptimeSeconds = minUptimeSeconds;
        this.maxResets = maxResets;
        this.resetWindowSeconds = resetWindowSeconds;
        this.description = description;
    }

    public int failureSeconds() { return failureSeconds; }
    public int minUptimeSeconds() { return minUptimeSeconds; }
    public int maxResets() { return maxResets; }
    public int resetWindowSeconds() { return resetWindowSeconds; }

    @Override public String description() { return description; }

    /** {@code low|medium|high}, any case; errors name {@code field}. */
    public static Sensitivity parse(String field, String text) {
        for (Sensitivity s : values()) if (s.name().equalsIgnoreCase(text)) return s;
        throw new InvalidInputException(field, text, "low, medium or high");
    }
}
