package io.vmha.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.config.ObservabilityConfig;
import io.vmha.core.InvalidInputException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;
import org.jolokia.server.core.util.RequestType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two roles: files checked at start (never allow-all), passwords, and what each policy lets through. */
class RoleAccessTest {
    @TempDir Path dir;

    private ObservabilityConfig.Role role(String name, String user) throws Exception {
        Path pw = dir.resolve(name + ".password");
        Files.writeString(pw, "secret-" + name + "\n");
        Path policy = dir.resolve("jolokia-" + name + ".xml");
        try (InputStream in = getClass().getResourceAsStream("/io/vmha/jmx/jolokia-" + name + ".xml")) {
            Files.copy(in, policy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return new ObservabilityConfig.Role(user, pw, policy);
    }

    private ObservabilityConfig.Jolokia config() throws Exception {
        return new ObservabilityConfig.Jolokia(true, "127.0.0.1", 0, role("readonly", "monitor"), role("operator", "admin"));
    }

    @Test void aMissingPolicyFileStopsTheDaemonNamingTheKey() throws Exception {
        ObservabilityConfig.Jolokia c = config();
        Files.delete(c.operator().policy());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new RoleAccess(c));
        assertTrue(e.getMessage().contains("jolokia.operator.policy") && e.getMessage().contains(c.operator().policy().toString()),
                e.getMessage());
    }

    @Test void anInvalidPolicyOrEmptyPasswordIsRefused() throws Exception {
        ObservabilityConfig.Jolokia c = config();
        Files.writeString(c.readOnly().policy(), "<restrict><commands>");
        assertTrue(assertThrows(InvalidInputException.class, () -> new RoleAccess(c)).getMessage().contains("jolokia.read-only.policy"));
        ObservabilityConfig.Jolokia d = config();
        Files.writeString(d.operator().passwordFile(), "\n");
        assertTrue(assertThrows(InvalidInputException.class, () -> new RoleAccess(d)).getMessage().contains("jolokia.operator.password-file"));
    }

    @Test void passwordsSelectTheRole() throws Exception {
        RoleAccess a = new RoleAccess(config());
        assertEquals("read-only", a.check("monitor", "secret-readonly").name());
        assertEquals("operator", a.check("admin", "secret-operator").name());
        assertNull(a.check("admin", "secret-readonly"));
        assertNull(a.check("nobody", "secret-readonly"));
    }

    @Test void eachRoleGetsItsPolicyAndNoRoleGetsNothing() throws Exception {
        RoleAccess a = new RoleAccess(config());
        RoleAccess.constructing(a);
        RoleRestrictor r;
        try {
            r = new RoleRestrictor();
        } finally {
            RoleAccess.constructing(null);
        }
        ObjectName pool = new ObjectName("vmha:type=Pool");
        ObjectName memory = new ObjectName("java.lang:type=Memory");
        try {
            RoleAccess.serving(null);
            assertFalse(r.isAttributeReadAllowed(pool, "Name"), "unauthenticated");
            assertFalse(r.isTypeAllowed(RequestType.READ));

            RoleAccess.serving(a.check("monitor", "secret-readonly"));
            assertTrue(r.isTypeAllowed(RequestType.READ));
            assertTrue(r.isAttributeReadAllowed(memory, "HeapMemoryUsage"));
            assertFalse(r.isTypeAllowed(RequestType.EXEC));
            assertFalse(r.isTypeAllowed(RequestType.WRITE));

            RoleAccess.serving(a.check("admin", "secret-operator"));
            assertTrue(r.isTypeAllowed(RequestType.EXEC));
            assertTrue(r.isOperationAllowed(pool, "stopVm"));
            assertTrue(r.isAttributeReadAllowed(memory, "HeapMemoryUsage"));
            assertFalse(r.isOperationAllowed(memory, "gc"), "exec outside vmha:* is never allowed");
            assertFalse(r.isAttributeWriteAllowed(memory, "Verbose"), "write outside vmha:* is never allowed");
        } finally {
            RoleAccess.serving(null);
        }
    }

    @Test void theAuthenticatorAndRestrictorExistOnlyInsideTheEndpoint() {
        assertThrows(IllegalStateException.class, RoleRestrictor::new);
        assertThrows(IllegalStateException.class, RoleAuthenticator::new);
        assertNotNull(RoleAccess.policy());
    }
}
