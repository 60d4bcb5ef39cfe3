package io.vmha.migration.tunnel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** One-time migration tokens: 256 random bits, base64url without padding (43 characters). */
public final class MigrationTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private MigrationTokens() {}

    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Compares in time independent of where the strings differ, so a wrong guess reveals nothing of the token. */
    static boolean sameToken(String expected, String presented) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII));
    }
}
