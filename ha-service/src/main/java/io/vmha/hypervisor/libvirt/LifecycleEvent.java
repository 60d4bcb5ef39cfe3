package io.vmha.hypervisor.libvirt;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code virsh event --loop --event lifecycle} (libvirt 9.0), with or without
 * {@code --timestamp}:
 * <pre>
 * event 'lifecycle' for domain 'vm1': Stopped Failed
 * 2026-11-22 00:57:07.329+0000: event 'lifecycle' for domain 'vm1': Crashed Panicked
 * </pre>
 * The driver treats an event only as a hint to look ({@code domstate --reason}): events can arrive late,
 * after the domain already changed again.
 *
 * @param domain the domain name
 * @param type   "Started", "Stopped", "Crashed", "Suspended", "Resumed", "Shutdown", "Defined", ...
 * @param detail "Failed", "Destroyed", "Panicked", "Finished after guest request", ... ("" if none)
 */
public record LifecycleEvent(String domain, String type, String detail) {
    // Greedy name: a quote inside a (non-vmha) domain name still leaves the last "': " as the separator.
    private static final Pattern LINE = Pattern.compile("event 'lifecycle' for domain '(.+)': ([A-Za-z]+)(?: (.*))?");

    /** The event on {@code line}, or empty for anything else (virsh's closing summary, errors, garbage). */
    public static Optional<LifecycleEvent> parse(String line) {
        if (line == null) return Optional.empty();
        Matcher m = LINE.matcher(line.strip());
        if (!m.find()) return Optional.empty();
        String detail = m.group(3) == null ? "" : m.group(3).strip();
        return Optional.of(new LifecycleEvent(m.group(1), m.group(2), detail));
    }

    public boolean stopped() { return type.equals("Stopped"); }

    @Override
    public String toString() { return detail.isEmpty() ? type : type + " " + detail; }
}
