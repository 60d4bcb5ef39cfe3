package io.vmha.simulation;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One fault or operator command at a virtual time, as written in a scenario's {@code commands} file:
 * {@code 5.0 crash h2}, {@code 12.5 add-vm v9 1024 ha=false prefer=h1,h2}.
 */
record Command(long atMillis, String verb, List<String> args) {
    static final Set<String> VERBS = Set.of("crash", "restart", "kill-vm", "partition", "heal", "zk-down", "zk-up",
            "pause", "resume", "add-vm", "remove-vm", "kill-daemon", "disk-stall", "disk-ok", "disk-error", "torn-slot",
            "clock-step", "slow-stop", "guest-hang", "guest-panic", "guest-ok", "probe-fail", "probe-ok",
            "nic-down", "nic-up", "unreachable", "reachable", "migrate", "cancel-migration", "cut-tunnel");

    Command {
        if (!VERBS.contains(verb)) throw new IllegalArgumentException("unknown command '" + verb + "'; expected one of " + VERBS);
        args = List.copyOf(args);
    }

    static Command at(long atMillis, String verb, String... args) { return new Command(atMillis, verb, List.of(args)); }

    /** Parse one line; {@code null} for blank lines and comments. */
    static Command parse(String line) {
        String text = line.strip();
        if (text.isEmpty() || text.startsWith("#")) return null;
        String[] words = text.split("\\s+");
        if (words.length < 2) throw new IllegalArgumentException("command line '" + line + "': expected '<seconds> <verb> [args]'");
        long at = Math.round(Double.parseDouble(words[0]) * 1000);
        return new Command(at, words[1], List.of(words).subList(2, words.length));
    }

    String arg(int i) {
        if (i >= args.size()) throw new IllegalArgumentException("command '" + this + "' needs argument " + (i + 1));
        return args.get(i);
    }

    @Override
    public String toString() {
        return (verb + " " + String.join(" ", args)).strip();
    }

    String line() { return String.format(Locale.ROOT, "%.3f %s", atMillis / 1000.0, this); }
}
