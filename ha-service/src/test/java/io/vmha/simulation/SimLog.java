package io.vmha.simulation;

import io.vmha.core.port.Journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The oracle: every journal line of every host, every fault command and every coordinator fact, as
 * {@code %8.3f %-8s %s} (virtual seconds, source, message). Same seed and scenario, same lines.
 */
final class SimLog implements Journal {
    private final Scheduler scheduler;
    private final List<String> lines = new ArrayList<>();
    private final boolean echo = Boolean.getBoolean("vmha.sim.echo");

    SimLog(Scheduler scheduler) { this.scheduler = scheduler; }

    @Override
    public void record(String source, String message) {
        String line = String.format(Locale.ROOT, "%8.3f %-8s %s", scheduler.now() / 1000.0, source, message);
        lines.add(line);
        if (echo) System.out.println(line);
    }

    List<String> lines() { return lines; }

    /** The last {@code n} lines, for failure messages. */
    String tail(int n) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
