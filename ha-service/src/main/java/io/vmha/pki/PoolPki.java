package io.vmha.pki;

import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The pool's PKI directory, as {@code vmha pki init|issue|show} and the tunnel see it:
 * <pre>
 * DIR/            0700
 *   ca.crt        the pool CA certificate (public; every host needs it)
 *   ca.key        the CA private key, 0600 (needed only where certificates are issued)
 *   hosts/        0700
 *     HOST.crt    the host certificate: CN=HOST, SAN DNS:HOST, serverAuth + clientAuth
 *     HOST.key    the host private key, 0600
 * </pre>
 * Private keys must be 0600 or 0400 ({@link KeyFiles#checkPermissions}); the tunnel refuses to start otherwise.
 */
public final class PoolPki {
    /** Where the agent and the CLI look unless told otherwise (agent config key {@code tunnel.pki-dir}). */
    public static final String DEFAULT_DIR_NAME = "/etc/vmha/pki";
    public static final Path DEFAULT_DIR = Path.of(DEFAULT_DIR_NAME);
    public static final int DEFAULT_CA_DAYS = 3650;
    public static final int DEFAULT_HOST_DAYS = 825;
    private static final int MAX_DAYS = 36500;

    private final Path dir;

    public PoolPki(Path dir) {
        this.dir = dir;
    }

    public Path dir() { return dir; }
    public Path caCertificate() { return dir.resolve("ca.crt"); }
    public Path caKey() { return dir.resolve("ca.key"); }
    public Path hostCertificate(String host) { return dir.resolve("hosts").resolve(host + ".crt"); }
    public Path hostKey(String host) { return dir.resolve("hosts").resolve(host + ".key"); }

    /** Creates the pool CA; refuses (InvalidInputException) if a CA certificate or key is already there. */
    public X509Certificate init(String pool, int days, Instant now) throws IOException {
        Names.check("pool", pool);
        checkDays(days);
        if (Files.exists(caCertificate()) || Files.exists(caKey())) {
            throw new InvalidInputException("--dir", dir.toString(), "a directory without a pool CA (" + caCertificate()
                    + " or " + caKey() + " already exists; refusing to overwrite the pool CA: every host certificate "
                    + "depends on it — remove both files first if you really mean to start a new PKI)");
        }
        ensurePrivateDirectory(dir);
        ensurePrivateDirectory(dir.resolve("hosts"));
        KeyPair keys = Certificates.newKeyPair();
        X509Certificate ca = Certificates.ca(keys, pool, now, days);
        KeyFiles.write(caKey(), keys.getPrivate());
        Files.writeString(caCertificate(), Certificates.pem(ca), StandardCharsets.US_ASCII);
        return ca;
    }

    /** Issues a key and certificate for {@code host}; refuses to replace existing ones unless {@code replace}. */
    public X509Certificate issue(String host, int days, boolean replace, Instant now) throws IOException, PkiException {
        Names.check("host.name", host);
        checkDays(days);
        if (!Files.exists(caCertificate()) || !Files.exists(caKey())) {
            throw new InvalidInputException("--dir", dir.toString(), "a PKI directory with ca.crt and ca.key (run 'vmha pki init' first)");
        }
        KeyFiles.checkPermissions(caKey());
        X509Certificate ca = Certificates.read(caCertificate());
        PrivateKey caKey = KeyFiles.read(caKey());
        if (!Certificates.matches(ca, caKey)) throw new PkiException(caKey() + " is not the key of " + caCertificate());
        Path cert = hostCertificate(host);
        Path key = hostKey(host);
        if (!replace && (Files.exists(cert) || Files.exists(key))) {
            throw new InvalidInputException("HOST", host, "a host without a certificate yet (" + cert
                    + " exists; use --force to replace its key and certificate)");
        }
        ensurePrivateDirectory(dir.resolve("hosts"));
        KeyPair keys = Certificates.newKeyPair();
        X509Certificate issued = Certificates.host(keys, host, ca, caKey, now, days);
        Files.deleteIfExists(key);
        KeyFiles.write(key, keys.getPrivate());
        Files.writeString(cert, Certificates.pem(issued), StandardCharsets.US_ASCII);
        return issued;
    }

    /** Every certificate in the directory, CA first, each with what is wrong with it (expired, key mode, ...). */
    public List<CertificateReport> show(Instant now) throws IOException {
        List<CertificateReport> out = new ArrayList<>();
        X509Certificate ca = null;
        if (Files.exists(caCertificate())) {
            CertificateReport report = inspect("ca", caCertificate(), caKey(), null, now);
            out.add(report);
            try {
                ca = Certificates.read(caCertificate());
            } catch (PkiException e) {
                // already reported as a problem of the CA line
            }
        } else {
            out.add(CertificateReport.missing("ca", caCertificate(), caKey()));
        }
        TreeSet<String> hosts = new TreeSet<>();
        Path hostsDir = dir.resolve("hosts");
        if (Files.isDirectory(hostsDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(hostsDir, "*.{crt,key}")) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    hosts.add(name.substring(0, name.length() - 4));
                }
            }
        }
        for (String host : hosts) out.add(inspect(host, hostCertificate(host), hostKey(host), ca, now));
        return out;
    }

    private CertificateReport inspect(String name, Path certFile, Path keyFile, X509Certificate ca, Instant now) {
        List<String> problems = new ArrayList<>();
        X509Certificate cert = null;
        try {
            cert = Certificates.read(certFile);
        } catch (PkiException e) {
            problems.add(e.getMessage());
        }
        String mode = KeyFiles.mode(keyFile);
        if (mode.equals("missing")) {
            // Only the host that issues certificates needs ca.key: its absence elsewhere is the safer layout.
            if (!name.equals("ca")) problems.add("private key " + keyFile + " is missing");
        } else {
            try {
                KeyFiles.checkPermissions(keyFile);
                if (cert != null && !Certificates.matches(cert, KeyFiles.read(keyFile))) {
                    problems.add("private key " + keyFile + " does not belong to " + certFile);
                }
            } catch (PkiException e) {
                problems.add(e.getMessage());
            }
        }
        if (cert == null) return new CertificateReport(name, certFile.toString(), "", "", "", "", keyFile.toString(), mode, problems);
        if (cert.getNotAfter().toInstant().isBefore(now)) problems.add("expired on " + cert.getNotAfter().toInstant());
        if (!name.equals("ca")) {
            if (!Certificates.names(cert).contains(name)) problems.add("does not name " + name + " (SAN/CN: " + Certificates.names(cert) + ")");
            if (ca == null) {
                problems.add("cannot be checked: no readable CA certificate");
            } else {
                try {
                    cert.verify(ca.getPublicKey());
                } catch (GeneralSecurityException e) {
                    problems.add("not signed by the pool CA in " + caCertificate());
                }
            }
        }
        return new CertificateReport(name, certFile.toString(), cert.getSubjectX500Principal().getName(),
                cert.getSerialNumber().toString(16), cert.getNotAfter().toInstant().toString(), String.join(",", Certificates.names(cert)),
                keyFile.toString(), mode, problems);
    }

    private static void checkDays(int days) {
        if (days < 1 || days > MAX_DAYS) throw new InvalidInputException("--days", days, "1 to " + MAX_DAYS);
    }

    private static void ensurePrivateDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(KeyFiles.OWNER_DIR));
        }
        Files.setPosixFilePermissions(directory, KeyFiles.OWNER_DIR);
    }
}
