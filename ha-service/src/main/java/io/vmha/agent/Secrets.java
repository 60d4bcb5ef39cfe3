package io.vmha.agent;

import java.security.SecureRandom;
import java.util.HexFormat;

/** One-time migration tokens for the master: 192 bits from the platform's SecureRandom, hex-encoded. */
final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    static String token() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
