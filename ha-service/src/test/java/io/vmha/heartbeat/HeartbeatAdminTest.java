package io.vmha.heartbeat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmha.agent.SystemClock;
import io.vmha.cli.Main;
import io.vmha.core.FenceState;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.InvalidInputException;
import io.vmha.core.port.ConnectionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** init and dump on real files, through the API and through the CLI. */
class HeartbeatAdminTest {
    final HeartbeatAdmin admin = new HeartbeatAdmin(new SystemClock());

    @Test void initCreatesAFileAndRefusesAnotherPoolsDeviceUnlessForced(@TempDir Path dir) throws Exception {
        Path dev = dir.resolve("hb");
        HeartbeatHeader h = admin.init(dev, "alpha", 4, 100, 500, false);
        assertEquals(HeartbeatFormat.deviceBytes(4), Files.size(dev));
        assertEquals("alpha", h.pool());
        InvalidInputException other = assertThrows(InvalidInputException.class, () -> admin.init(dev, "beta", 4, 100, 500, false));
        assertTrue(other.getMessage().contains("pool \"alpha\"") && other.getMessage().contains("--force"), other.getMessage());
        InvalidInputException same = assertThrows(InvalidInputException.class, () -> admin.init(dev, "alpha", 4, 100, 500, false));
        assertTrue(same.getMessage().contains("already formatted for pool \"alpha\""), same.getMessage());
        assertEquals("beta", admin.init(dev, "beta", 6, 100, 500, true).pool());
        assertEquals(6, admin.dump(dev, 0).slots().size());
        Files.write(dev, "#!/bin/sh\nsome other data".getBytes(StandardCharsets.US_ASCII), java.nio.file.StandardOpenOption.WRITE);
        InvalidInputException data = assertThrows(InvalidInputException.class, () -> admin.init(dev, "beta", 6, 100, 500, false));
        assertTrue(data.getMessage().contains("bad magic"), data.getMessage());
        InvalidInputException slots = assertThrows(InvalidInputException.class, () -> admin.init(dir.resolve("x"), "a", 0, 100, 500, false));
        assertEquals("heartbeat.slots", slots.field());
    }

    @Test void dumpShowsEverySlotAndParsesAsJson(@TempDir Path dir) throws Exception {
        Path dev = dir.resolve("hb");
        assertEquals(0, cli("heartbeat", "init", "--device", dev.toString(), "--slots", "3", "--pool", "alpha").exit);
        try (HeartbeatDevice d = new HeartbeatDevice(dev)) {
            d.writeBlock(HeartbeatFormat.slotBlock(0), HeartbeatFormat.encodeSlot(0, new HeartbeatSlot("h1", 7, 42,
                    ConnectionState.CONNECTED, 0x1234, 15, FenceState.NONE, new TreeMap<>(Map.of("vm1", 3L, "vm2", 4L)))));
            d.writeBlock(HeartbeatFormat.mailboxBlock(0), HeartbeatFormat.encodeMailbox(
                    new MailboxMessage(0, MailboxMessage.Type.POISON, "h1", 7, "h2", 1)));
            d.writeBlock(HeartbeatFormat.slotBlock(2), new byte[HeartbeatFormat.BLOCK]);
            byte[] garbage = new byte[HeartbeatFormat.BLOCK];
            new java.util.Random(1).nextBytes(garbage);
            d.writeBlock(HeartbeatFormat.slotBlock(1), garbage);
        }
        Result text = cli("heartbeat", "dump", "--device", dev.toString());
        assertEquals(0, text.exit, text.out);
        assertTrue(text.out.contains("pool alpha, 3 slots"), text.out);
        assertTrue(text.out.matches("(?s).*\\n +0 VALID +h1 +7 +42 CONNECTED.*0x1234.*POISON from h2 for h1 incarnation 7.*"), text.out);
        assertTrue(text.out.matches("(?s).*\\n +1 CORRUPT +bad magic.*\\n +2 EMPTY .*"), text.out);
        Result json = cli("heartbeat", "dump", "--device", dev.toString(), "--json");
        JsonNode root = new ObjectMapper().readTree(json.out);
        assertEquals(3, root.get("slots").size());
        assertEquals("h1", root.get("slots").get(0).get("host").asText());
        assertEquals(4, root.get("slots").get(0).get("epochs").get("vm2").asInt());
        assertEquals("CORRUPT", root.get("slots").get(1).get("status").asText());
        assertEquals("alpha", root.get("header").get("pool").asText());
        Result refused = cli("heartbeat", "init", "--device", dev.toString(), "--slots", "3", "--pool", "beta");
        assertEquals(2, refused.exit, refused.out);
        assertTrue(refused.err.contains("pool \"alpha\""), refused.err);
        Result missing = cli("heartbeat", "dump", "--device", dir.resolve("nope").toString());
        assertEquals(1, missing.exit, missing.err);
        assertTrue(missing.err.contains("nope"), missing.err);
    }

    record Result(int exit, String out, String err) {}

    static synchronized Result cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Result(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
