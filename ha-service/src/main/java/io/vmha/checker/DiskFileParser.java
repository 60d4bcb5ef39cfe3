package io.vmha.checker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streams one disk file of lines {@code <instance> <micros>} without a String or regex per line:
 * consecutive lines of one instance (the common case) reuse the previous instance's accumulator after a
 * byte comparison. Anything else (no or several spaces, an empty instance, a control character, a
 * timestamp that is not 1 to 18 digits, an over-long line, a last line without its newline) is counted
 * as malformed and ignored.
 */
final class DiskFileParser {
    static final int MAX_LINE = 512;
    private static final int BUFFER = 1 << 20;

    /** Per instance: timestamps seen (min and max, so a clock step back cannot shrink the span). */
    static final class Acc {
        final String instance;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long writes;

        Acc(String instance) { this.instance = instance; }
    }

    final Map<String, Acc> instances = new LinkedHashMap<>();
    long malformed;
    private byte[] lastId = new byte[0];
    private Acc lastAcc;

    static DiskFileParser parse(Path file) throws IOException {
        DiskFileParser p = new DiskFileParser();
        try (InputStream in = Files.newInputStream(file)) {
            p.read(in);
        }
        return p;
    }

    private void read(InputStream in) throws IOException {
        byte[] buf = new byte[BUFFER];
        int filled = 0;
        boolean skipping = false; // inside an over-long line, dropping bytes until its newline
        int n;
        while ((n = in.read(buf, filled, buf.length - filled)) > 0) {
            int end = filled + n;
            int start = 0;
            for (int i = filled; i < end; i++) {
                if (buf[i] != '\n') continue;
                if (skipping) skipping = false;
                else line(buf, start, i);
                start = i + 1;
            }
            int rest = end - start;
            if (skipping || rest > MAX_LINE) {
                if (!skipping) malformed++;
                skipping = true;
                filled = 0;
            } else {
                System.arraycopy(buf, start, buf, 0, rest);
                filled = rest;
            }
        }
        if (filled > 0 && !skipping) malformed++; // unterminated last line: maybe a torn write, not trusted
    }

    private void line(byte[] b, int from, int to) {
        int len = to - from;
        if (len == 0 || len > MAX_LINE) { malformed++; return; }
        int space = -1;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == ' ') {
                if (space >= 0) { malformed++; return; }
                space = i;
            } else if ((c & 0xff) < 0x21 || c == 0x7f) {
                malformed++;
                return;
            }
        }
        int digits = to - space - 1;
        if (space <= from || digits < 1 || digits > 18) { malformed++; return; }
        long micros = 0;
        for (int i = space + 1; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) { malformed++; return; }
            micros = micros * 10 + d;
        }
        Acc acc = lastAcc;
        if (acc == null || !Arrays.equals(lastId, 0, lastId.length, b, from, space)) {
            String id = new String(b, from, space - from, StandardCharsets.UTF_8);
            acc = instances.computeIfAbsent(id, Acc::new);
            lastId = Arrays.copyOfRange(b, from, space);
            lastAcc = acc;
        }
        if (micros < acc.first) acc.first = micros;
        if (micros > acc.last) acc.last = micros;
        acc.writes++;
    }
}
