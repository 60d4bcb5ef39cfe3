package io.vmha.pki;

import io.vmha.core.InvalidInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolPkiTest {
    private Path root;
    private PoolPki pki;

    @BeforeEach void setUp() throws Exception {
        root = Files.createTempDirectory("vmha-pki-test-");
        pki = new PoolPki(root.resolve("pki"));
    }

    @AfterEach void tearDown() throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test void initIssueShowRoundTrip() throws Exception {
        Instant now = Instant.now();
        X509Certificate ca = pki.init("prod", 3650, now);
        X509Certificate host = pki.issue("hv-01.example", 30, false, now);
        assertEquals("0700", KeyFiles.mode(pki.dir()));
        assertEquals("0700", KeyFiles.mode(pki.dir().resolve("hosts")));
        assertEquals("0600", KeyFiles.mode(pki.caKey()));
        assertEquals("0600", KeyFiles.mode(pki.hostKey("hv-01.example")));
        assertEquals(List.of("hv-01.example"), Certificates.names(host));
        host.verify(ca.getPublicKey());
        assertTrue(host.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")), "serverAuth + clientAuth");
        assertEquals(-1, host.getBasicConstraints(), "not a CA");
        assertEquals(0, ca.getBasicConstraints(), "a CA that signs hosts only");
        assertTrue(Certificates.matches(Certificates.read(pki.hostCertificate("hv-01.example")), KeyFiles.read(pki.hostKey("hv-01.example"))));
        assertEquals("EC", host.getPublicKey().getAlgorithm());

        List<CertificateReport> shown = pki.show(now);
        assertEquals(2, shown.size());
        assertEquals("ca", shown.get(0).name());
        assertTrue(shown.get(0).subject().contains("CN=vmha pool prod CA"), shown.get(0).subject());
        assertEquals("hv-01.example", shown.get(1).name());
        assertEquals(host.getSerialNumber().toString(16), shown.get(1).serial());
        assertEquals("0600", shown.get(1).keyMode());
        assertTrue(shown.stream().allMatch(CertificateReport::ok), shown.toString());
    }

    @Test void refusesToOverwriteTheCa() throws Exception {
        pki.init("prod", 10, Instant.now());
        byte[] before = Files.readAllBytes(pki.caCertificate());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> pki.init("prod", 10, Instant.now()));
        assertTrue(e.getMessage().contains("refusing to overwrite the pool CA"), e.getMessage());
        assertEquals("--dir", e.field());
        assertEquals(new String(before), Files.readString(pki.caCertificate()));
    }

    @Test void refusesToReplaceAHostUnlessForcedAndChecksNames() throws Exception {
        pki.init("prod", 10, Instant.now());
        pki.issue("h1", 10, false, Instant.now());
        assertThrows(InvalidInputException.class, () -> pki.issue("h1", 10, false, Instant.now()));
        X509Certificate again = pki.issue("h1", 10, true, Instant.now());
        assertEquals(again, Certificates.read(pki.hostCertificate("h1")));
        InvalidInputException bad = assertThrows(InvalidInputException.class, () -> pki.issue("../etc", 10, false, Instant.now()));
        assertEquals("host.name", bad.field());
        assertThrows(InvalidInputException.class, () -> pki.issue("h2", 0, false, Instant.now()));
        assertThrows(InvalidInputException.class, () -> new PoolPki(root.resolve("empty")).issue("h2", 10, false, Instant.now()));
    }

    @Test void keyModeCheckNamesFileModeAndRule() throws Exception {
        pki.init("prod", 10, Instant.now());
        pki.issue("h1", 10, false, Instant.now());
        Path key = pki.hostKey("h1");
        KeyFiles.checkPermissions(key); // 0600
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
        KeyFiles.checkPermissions(key); // 0400
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        PkiException groupReadable = assertThrows(PkiException.class, () -> KeyFiles.checkPermissions(key));
        assertTrue(groupReadable.getMessage().contains(key + ": mode 0640 is not accepted; expected a regular file (not a symlink) "
                + "with mode 0600 or 0400"), groupReadable.getMessage());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rwx------"));
        assertThrows(PkiException.class, () -> KeyFiles.checkPermissions(key)); // 0700: executable is not a key's mode either
        Path link = root.resolve("link.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(link, key);
        PkiException symlink = assertThrows(PkiException.class, () -> KeyFiles.checkPermissions(link));
        assertTrue(symlink.getMessage().contains("is a symlink"), symlink.getMessage());
        PkiException missing = assertThrows(PkiException.class, () -> KeyFiles.checkPermissions(root.resolve("none.key")));
        assertTrue(missing.getMessage().contains("none.key"), missing.getMessage());

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        CertificateReport shown = pki.show(Instant.now()).get(1);
        assertEquals("0644", shown.keyMode());
        assertFalse(shown.ok());
        assertTrue(shown.problems().get(0).contains("mode 0644 is not accepted"), shown.problems().toString());
    }

    @Test void showReportsExpiredForeignAndMismatchedCertificates() throws Exception {
        Instant now = Instant.now();
        pki.init("prod", 10, now);
        pki.issue("h1", 1, false, now);
        pki.issue("h2", 10, false, now);
        PoolPki other = new PoolPki(root.resolve("other"));
        other.init("other", 10, now);
        other.issue("h3", 10, false, now);
        Files.copy(other.hostCertificate("h3"), pki.hostCertificate("h3"));
        Files.copy(other.hostKey("h3"), pki.hostKey("h3"));
        Files.copy(pki.hostCertificate("h1"), pki.hostCertificate("h2"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        List<CertificateReport> shown = pki.show(now.plus(java.time.Duration.ofDays(5)));
        assertTrue(shown.get(1).problems().stream().anyMatch(p -> p.startsWith("expired on")), shown.get(1).toString());
        assertTrue(shown.get(2).problems().stream().anyMatch(p -> p.contains("does not belong to")), shown.get(2).toString());
        assertTrue(shown.get(2).problems().stream().anyMatch(p -> p.contains("does not name h2")), shown.get(2).toString());
        assertTrue(shown.get(3).problems().stream().anyMatch(p -> p.contains("not signed by the pool CA")), shown.get(3).toString());
    }
}
