package io.vmha.migration.tunnel;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationHeaderTest {
    private static MigrationHeader.Malformed malformed(String line) {
        return assertThrows(MigrationHeader.Malformed.class, () -> MigrationHeader.parse(line.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test void roundTrips() throws Exception {
        String token = MigrationTokens.newToken();
        byte[] encoded = new MigrationHeader("web1-7:3", token).encode();
        assertEquals('\n', encoded[encoded.length - 1]);
        assertTrue(encoded.length <= MigrationHeader.MAX_BYTES);
        byte[] line = java.util.Arrays.copyOf(encoded, encoded.length - 1);
        assertEquals(new MigrationHeader("web1-7:3", token), MigrationHeader.parse(line));
        assertEquals(43, token.length());
        assertFalse(new MigrationHeader("m", token).toString().contains(token), "the token never shows in logs");
    }

    @Test void namesWhatIsWrong() {
        String token = MigrationTokens.newToken();
        assertTrue(malformed("VMHA-MIGRATE/1 m1\t" + token).getMessage().contains("header byte 17 is 0x09"));
        assertTrue(malformed("VMHA-MIGRATE/1 m1 " + token + "\u00e9").getMessage().contains("is 0xe9"));
        assertTrue(malformed("VMHA-MIGRATE/2 m1 " + token).getMessage().contains("starting \"VMHA-MIGRATE/2\""));
        assertTrue(malformed("VMHA-MIGRATE/1  m1 " + token).getMessage().contains("4 field(s)"));
        assertTrue(malformed("VMHA-MIGRATE/1 ../x " + token).getMessage().contains("migration id \"../x\""));
        MigrationHeader.Malformed shortToken = malformed("VMHA-MIGRATE/1 m1 abc");
        assertTrue(shortToken.getMessage().contains("token (length 3)"));
        MigrationHeader.Malformed extra = malformed("VMHA-MIGRATE/1 m1 " + token + " more");
        assertFalse(extra.getMessage().contains(token), "a token is never echoed: " + extra.getMessage());
    }

    @Test void tokensCompareByContent() {
        String token = MigrationTokens.newToken();
        assertTrue(MigrationTokens.sameToken(token, new String(token.toCharArray())));
        assertFalse(MigrationTokens.sameToken(token, token.substring(1) + "A"));
        assertFalse(MigrationTokens.sameToken(token, token + "A"));
        assertFalse(MigrationTokens.sameToken(token, MigrationTokens.newToken()));
    }
}
