package io.vmha.management;

import io.vmha.jmx.VmhaNotifications;
import java.util.regex.Pattern;

/**
 * Which notification type an audit-log event is. The events are the lines the host and master agents write
 * ({@code host state FENCED (...)}, {@code vm web1 => STARTING on h2 epoch 4 (host h1 lost: ...)}); the
 * classification is pinned by tests against those exact formats.
 */
public final class EventTypes {
    /** The master reassigning a VM because its owner host was lost. */
    private static final Pattern FAILOVER = Pattern.compile("^vm \\S+ => STARTING .*\\(host \\S+ lost\\b.*");
    private static final Pattern MIGRATION = Pattern.compile("(?i).*\\bmigrat(e|ed|es|ing|ion)\\b.*");

    private EventTypes() {}

    public static String of(String message) {
        if (message.startsWith("host state FENCED") || message.startsWith("poison pill")) return VmhaNotifications.FENCE;
        if (FAILOVER.matcher(message).matches()) return VmhaNotifications.FAILOVER;
        if (message.startsWith("alarms ")) return VmhaNotifications.ALARM;
        if (MIGRATION.matcher(message).matches()) return VmhaNotifications.MIGRATION;
        return VmhaNotifications.STATE_CHANGE;
    }
}
