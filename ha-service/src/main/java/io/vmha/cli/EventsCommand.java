package io.vmha.cli;

import io.vmha.coordination.PoolAdmin;
import io.vmha.coordination.PoolEvent;
import io.vmha.core.InvalidInputException;
import io.vmha.management.EventLines;
import io.vmha.management.EventTypes;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Show the pool's audit log: who or what took which HA action, and why, oldest first.",
                "The log keeps the newest 1000 events; the same events go to the daemons' logs and JMX notifications.",
                "Times are the writing host's clock; the order is ZooKeeper's."})
final class EventsCommand implements Callable<Integer> {
    private static final Pattern AGO = Pattern.compile("([0-9]{1,9})(s|m|h|d)");

    @Mixin PoolOptions pool;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "Only events from then on: a duration ago (30s, 10m, 2h, 7d), an ISO-8601 time "
                    + "(2026-11-21T10:00:00Z) or Unix milliseconds (default: all kept).")
    String since;

    @Option(names = "--json", description = "Print a JSON array: sequence, time, type, source, message.")
    boolean json;

    @Override public Integer call() throws Exception {
        long from = since == null ? 0 : parseSince(since, System.currentTimeMillis());
        try (CuratorFramework client = pool.connect()) {
            List<PoolEvent> events = new PoolAdmin(client, pool.pool).events(from);
            if (json) {
                System.out.println(Json.write(events.stream().map(EventsCommand::toMap).toList()));
            } else {
                for (PoolEvent e : events) System.out.println(EventLines.line(e));
                if (events.isEmpty()) System.err.println("no events" + (since == null ? "" : " since " + Instant.ofEpochMilli(from)));
            }
            return 0;
        }
    }

    static Map<String, Object> toMap(PoolEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", e.sequence());
        m.put("time", Instant.ofEpochMilli(e.wallMillis()).toString());
        m.put("wall_millis", e.wallMillis());
        m.put("type", EventTypes.of(e.message()));
        m.put("source", e.source());
        m.put("message", e.message());
        return m;
    }

    /** Unix ms from a "--since" value; {@code now} for durations. */
    static long parseSince(String text, long now) {
        String accepted = "a duration ago (30s, 10m, 2h, 7d), an ISO-8601 time such as 2026-11-21T10:00:00Z, or Unix milliseconds";
        String t = text.strip();
        Matcher m = AGO.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now - d.toMillis();
        }
        if (t.matches("[0-9]{1,15}")) return Long.parseLong(t);
        try {
            return Instant.parse(t).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("--since", text, accepted);
        }
    }
}
