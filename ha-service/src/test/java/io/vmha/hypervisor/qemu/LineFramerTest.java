package io.vmha.hypervisor.qemu;

import org.junit.jupiter.api.Test;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LineFramerTest {
    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void linesSplitAnywhereComeOutWhole() throws Exception {
        LineFramer f = new LineFramer(64);
        String stream = "{\"a\": 1}\r\n{\"b\": \"é\"}\n\r\n";
        byte[] all = stream.getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (byte b : all) lines.addAll(f.feed(ByteBuffer.wrap(new byte[]{b}))); // one byte at a time, even mid-character
        assertEquals(List.of("{\"a\": 1}", "{\"b\": \"é\"}", ""), lines);
        assertEquals(0, f.pendingBytes());
    }

    @Test
    void overLongLineFailsAtTheLimit() throws Exception {
        LineFramer f = new LineFramer(32);
        assertEquals(List.of(), f.feed(bytes("x".repeat(32))));
        ProtocolException e = assertThrows(ProtocolException.class, () -> f.feed(bytes("y")));
        assertEquals("line longer than 32 bytes without a newline", e.getMessage());
        assertEquals(List.of("z".repeat(32)), new LineFramer(32).feed(bytes("z".repeat(32) + "\n")), "exactly the limit is fine");
    }

    @Test
    void invalidUtf8FailsWithTheBytes() {
        LineFramer f = new LineFramer(64);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> f.feed(ByteBuffer.wrap(new byte[]{'{', (byte) 0xff, '}', '\n'})));
        assertEquals("line of 3 bytes is not valid UTF-8 (starts with 7bff7d)", e.getMessage());
    }
}
