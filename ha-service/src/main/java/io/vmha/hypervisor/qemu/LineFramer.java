package io.vmha.hypervisor.qemu;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits the byte stream of a QMP or guest-agent socket into lines ({@code \n}, an optional {@code \r}
 * before it dropped), each decoded as strict UTF-8. The buffer never grows past {@code maxLineBytes}: a
 * peer that never sends a newline gets an error, not our heap.
 */
final class LineFramer {
    private final int maxLineBytes;
    private byte[] pending = new byte[4096];
    private int length;

    LineFramer(int maxLineBytes) {
        if (maxLineBytes < 16) throw new IllegalArgumentException("maxLineBytes " + maxLineBytes + " < 16");
        this.maxLineBytes = maxLineBytes;
    }

    /** Consumes all of {@code data}; returns the lines it completed, in order. */
    List<String> feed(ByteBuffer data) throws ProtocolException {
        List<String> lines = new ArrayList<>();
        while (data.hasRemaining()) {
            byte b = data.get();
            if (b == '\n') {
                lines.add(decode());
                length = 0;
                continue;
            }
            if (length == maxLineBytes) {
                length = 0;
                throw new ProtocolException("line longer than " + maxLineBytes + " bytes without a newline");
            }
            if (length == pending.length) pending = Arrays.copyOf(pending, Math.min(maxLineBytes, length * 2));
            pending[length++] = b;
        }
        return lines;
    }

    /** Bytes of the line not yet terminated. */
    int pendingBytes() {
        return length;
    }

    private String decode() throws ProtocolException {
        int end = length > 0 && pending[length - 1] == '\r' ? length - 1 : length;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(pending, 0, end));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("line of " + end + " bytes is not valid UTF-8 (starts with "
                    + hexPrefix(end) + ")");
        }
    }

    private String hexPrefix(int end) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(end, 16); i++) hex.append(String.format("%02x", pending[i] & 0xff));
        return hex.append(end > 16 ? "..." : "").toString();
    }
}
