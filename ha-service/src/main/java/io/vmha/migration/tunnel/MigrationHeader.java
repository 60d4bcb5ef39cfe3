package io.vmha.migration.tunnel;

import io.vmha.core.InvalidInputException;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The one line a tunnel client sends after the TLS handshake: {@code VMHA-MIGRATE/1 <migration-id> <token>\n}, at most
 * {@link #MAX_BYTES} bytes. The server answers {@link #ADMITTED} once the local endpoint is connected, or closes.
 */
record MigrationHeader(String migrationId, String token) {
    static final String MAGIC = "VMHA-MIGRATE/1";
    static final int MAX_BYTES = 256;
    static final byte[] ADMITTED = "OK\n".getBytes(StandardCharsets.US_ASCII);
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");
    static final String ID_RULE = "1 to 100 letters, digits, '.', '_', ':' or '-', starting with a letter or digit";
    static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,128}");
    static final String TOKEN_RULE = "16 to 128 base64url characters (letters, digits, '-', '_')";

    /** Thrown for bytes that are not a header; the message says what was wrong. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    static void checkId(String migrationId) {
        if (migrationId == null || !ID.matcher(migrationId).matches()) throw new InvalidInputException("migrationId", migrationId, ID_RULE);
    }

    static void checkToken(String token) {
        // the value is a secret: never echoed in the message
        if (token == null || !TOKEN.matcher(token).matches()) throw new InvalidInputException("token", "(hidden)", TOKEN_RULE);
    }

    byte[] encode() {
        return (MAGIC + " " + migrationId + " " + token + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses one line, {@code line} without its '\n'. */
    static MigrationHeader parse(byte[] line) throws Malformed {
        for (int i = 0; i < line.length; i++) {
            int b = line[i] & 0xff;
            if (b < 0x20 || b > 0x7e) {
                throw new Malformed(String.format("header byte %d is 0x%02x; expected printable ASCII ('%s <id> <token>')", i, b, MAGIC));
            }
        }
        String[] fields = new String(line, StandardCharsets.US_ASCII).split(" ", -1);
        if (fields.length != 3 || !fields[0].equals(MAGIC)) {
            // only the first field is echoed: the rest may hold a token
            throw new Malformed("header of " + fields.length + " field(s) starting \"" + shorten(fields[0]) + "\" is not '"
                    + MAGIC + " <id> <token>' (3 fields separated by single spaces)");
        }
        if (!ID.matcher(fields[1]).matches()) throw new Malformed("migration id \"" + fields[1] + "\" is not " + ID_RULE);
        if (!TOKEN.matcher(fields[2]).matches()) throw new Malformed("token (length " + fields[2].length() + ") is not " + TOKEN_RULE);
        return new MigrationHeader(fields[1], fields[2]);
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override public String toString() {
        return "MigrationHeader[" + migrationId + ", token hidden]";
    }
}
