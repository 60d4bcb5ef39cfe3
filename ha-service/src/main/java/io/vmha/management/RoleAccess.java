package io.vmha.management;

import io.vmha.config.ObservabilityConfig;
import io.vmha.core.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import org.jolokia.server.core.restrictor.DenyAllRestrictor;
import org.jolokia.server.core.restrictor.policy.PolicyRestrictor;
import org.jolokia.server.core.service.api.Restrictor;

/**
 * The two Jolokia roles, each a user, a password and its own policy, read once at start. A password or policy
 * file that is missing, unreadable, empty or not a valid policy stops the daemon with an error naming the key
 * and the file: never a fallback to Jolokia's allow-all default.
 *
 * <p>The role of the request being served is kept per thread: the JDK HTTP server runs the authenticator and
 * then Jolokia's handler on the same thread for each request, so {@link RoleAuthenticator} sets it and
 * {@link RoleRestrictor} reads it. A request that did not authenticate has no role and is denied everything.
 */
final class RoleAccess {
    record Role(String name, String user, byte[] password, Restrictor policy) {}

    private static final ThreadLocal<Role> CURRENT = new ThreadLocal<>();
    /** Handed to the authenticator and restrictor Jolokia instantiates by class name, during construction only. */
    private static final ThreadLocal<RoleAccess> CONSTRUCTING = new ThreadLocal<>();
    private static final Restrictor DENY = new DenyAllRestrictor();

    private final Map<String, Role> byUser;

    RoleAccess(ObservabilityConfig.Jolokia config) {
        Role readOnly = role("read-only", config.readOnly());
        Role operator = role("operator", config.operator());
        this.byUser = Map.of(readOnly.user(), readOnly, operator.user(), operator);
    }

    private static Role role(String name, ObservabilityConfig.Role r) {
        String prefix = "jolokia." + name;
        String password = read(prefix + ".password-file", r.passwordFile(), "a readable file holding the role's password")
                .strip();
        if (password.isEmpty()) {
            throw new InvalidInputException(prefix + ".password-file", r.passwordFile(), "a file holding a non-empty password");
        }
        String xml = read(prefix + ".policy", r.policy(), "a readable Jolokia policy XML file");
        Restrictor policy;
        try {
            policy = new PolicyRestrictor(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            throw new InvalidInputException(prefix + ".policy", r.policy(), "a valid Jolokia policy XML file (" + e.getMessage() + ")");
        }
        return new Role(name, r.user(), password.getBytes(StandardCharsets.UTF_8), policy);
    }

    private static String read(String field, Path file, String accepted) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(field, file, accepted + "; reading it failed: " + e);
        }
    }

    /** The role whose user and password these are, or null; compares in constant time. */
    Role check(String user, String password) {
        Role r = byUser.get(user);
        if (r == null || password == null) return null;
        return MessageDigest.isEqual(r.password(), password.getBytes(StandardCharsets.UTF_8)) ? r : null;
    }

    static void serving(Role role) {
        if (role == null) CURRENT.remove();
        else CURRENT.set(role);
    }

    /** The policy of the request on this thread: its role's, or deny-all. */
    static Restrictor policy() {
        Role r = CURRENT.get();
        return r == null ? DENY : r.policy();
    }

    static void constructing(RoleAccess access) {
        if (access == null) CONSTRUCTING.remove();
        else CONSTRUCTING.set(access);
    }

    static RoleAccess constructed() {
        RoleAccess a = CONSTRUCTING.get();
        if (a == null) throw new IllegalStateException("vmha's Jolokia authenticator/restrictor is created only by JolokiaEndpoint");
        return a;
    }
}
