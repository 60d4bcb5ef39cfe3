package io.vmha.heartbeat;

import io.vmha.core.FenceState;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.port.ConnectionState;

import java.util.Random;
import java.util.TreeMap;

/** Valid values for the codec tests, random but reproducible from the caller's seeded Random. */
final class Samples {
    private Samples() {}

    static HeartbeatSlot slot(Random rnd, int vms) {
        TreeMap<String, Long> epochs = new TreeMap<>();
        for (int i = 0; i < vms; i++) epochs.put(name(rnd, "vm"), (long) rnd.nextInt(1_000_000));
        return new HeartbeatSlot(name(rnd, "h"), rnd.nextLong() & Long.MAX_VALUE, rnd.nextLong() & Long.MAX_VALUE,
                ConnectionState.values()[rnd.nextInt(3)], rnd.nextLong(), rnd.nextInt(100_000),
                FenceState.values()[rnd.nextInt(3)], epochs);
    }

    static String name(Random rnd, String prefix) {
        String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
        StringBuilder b = new StringBuilder(prefix);
        int len = rnd.nextInt(rnd.nextInt(10) == 0 ? 61 : 8);
        for (int i = 0; i < len; i++) b.append(chars.charAt(rnd.nextInt(chars.length())));
        return b.toString();
    }

    static MailboxMessage pill(Random rnd, int slot) {
        return new MailboxMessage(slot, MailboxMessage.Type.POISON, name(rnd, "t"), rnd.nextInt(1000), name(rnd, "s"),
                rnd.nextLong() & Long.MAX_VALUE);
    }

    static HeartbeatHeader header(Random rnd) {
        long interval = 10 + rnd.nextInt(5000);
        return new HeartbeatHeader(name(rnd, "p"), 1 + rnd.nextInt(255), rnd.nextBoolean() ? 512 : 4096, interval,
                2 * interval + rnd.nextInt(10_000), rnd.nextLong() & 0xffffffffffL);
    }
}
