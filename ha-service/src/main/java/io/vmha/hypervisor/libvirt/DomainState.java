package io.vmha.hypervisor.libvirt;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer of {@code virsh domstate --reason DOMAIN} (libvirt 9.0), e.g. {@code running (booted)},
 * {@code shut off (crashed)}, {@code crashed (panicked)}, {@code paused (crashed)}.
 *
 * @param state  "running", "idle", "paused", "in shutdown", "shut off", "crashed", "pmsuspended", "no state"
 * @param reason libvirt's reason ("booted", "crashed", "destroyed", "panicked", "shutdown", ...), "" if none
 */
public record DomainState(String state, String reason) {
    public static final String SHUT_OFF = "shut off";
    private static final Pattern LINE = Pattern.compile("([a-z][a-z ]*[a-z])(?: \\(([^()]*)\\))?");

    /** Parses virsh's stdout (first non-blank line); empty if it is not a domstate answer. */
    public static Optional<DomainState> parse(String stdout) {
        if (stdout == null) return Optional.empty();
        for (String line : stdout.split("\n")) {
            if (line.isBlank()) continue;
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) return Optional.empty();
            return Optional.of(new DomainState(m.group(1), m.group(2) == null ? "" : m.group(2)));
        }
        return Optional.empty();
    }

    /**
     * The qemu process exists: every state but "shut off" (with {@code on_crash=preserve} a panicked
     * guest's domain is "crashed" and still active).
     */
    public boolean active() { return !state.equals(SHUT_OFF); }

    /** The guest panicked and the domain was preserved, or a reset of it left it paused. */
    public boolean panicked() {
        return state.equals("crashed") || (state.equals("paused") && (reason.equals("crashed") || reason.equals("panicked")));
    }

    @Override
    public String toString() { return reason.isEmpty() ? state : state + " (" + reason + ")"; }
}
