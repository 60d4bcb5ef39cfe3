package io.vmha.pki;

import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.util.Set;

/**
 * Private key files: PKCS#8 PEM ("BEGIN PRIVATE KEY", what Netty, OpenSSL and stunnel read), created 0600,
 * and checked before use: a regular file (not a symlink) with mode 0600 or 0400, so that nobody but its owner
 * can read the key that admits a host to the pool's migrations.
 */
public final class KeyFiles {
    /** The modes a private key file may have. */
    public static final String ACCEPTED_MODES = "a regular file (not a symlink) with mode 0600 or 0400 "
            + "(owner read/write or read-only; nothing for group or others)";
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private KeyFiles() {}

    /** Throws unless {@code key} is a regular file with mode 0600 or 0400; the message names file, mode and rule. */
    public static void checkPermissions(Path key) throws PkiException {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(key, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new PkiException("private key file " + key + ": cannot be read (" + e.getMessage() + "); expected "
                    + ACCEPTED_MODES, e);
        }
        if (!attributes.isRegularFile()) {
            throw new PkiException("private key file " + key + ": is " + (attributes.isSymbolicLink() ? "a symlink"
                    : attributes.isDirectory() ? "a directory" : "not a regular file") + "; expected " + ACCEPTED_MODES);
        }
        String mode = mode(attributes.permissions());
        if (!mode.equals("0600") && !mode.equals("0400")) {
            throw new PkiException("private key file " + key + ": mode " + mode + " is not accepted; expected "
                    + ACCEPTED_MODES + " (fix: chmod 600 " + key + ")");
        }
    }

    /** The octal mode ("0640") of a file, or "missing". */
    public static String mode(Path file) {
        try {
            return mode(Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions());
        } catch (IOException e) {
            return "missing";
        }
    }

    static String mode(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission p : permissions) bits |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 = 0400
        return String.format("%04o", bits);
    }

    /** Reads a PEM private key (PKCS#8, or the traditional EC/RSA form OpenSSL writes). */
    public static PrivateKey read(Path key) throws PkiException {
        try (Reader in = Files.newBufferedReader(key, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(in)) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo) return converter.getPrivateKey((PrivateKeyInfo) object);
            if (object instanceof PEMKeyPair) return converter.getKeyPair((PEMKeyPair) object).getPrivate();
            throw new PkiException("private key file " + key + ": holds " + (object == null ? "no PEM object"
                    : object.getClass().getSimpleName()) + "; expected an unencrypted PEM private key (BEGIN PRIVATE KEY)");
        } catch (IOException e) {
            throw new PkiException("private key file " + key + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** Writes {@code key} as PKCS#8 PEM into a new file created with mode 0600 (never widened by the umask). */
    static void write(Path file, PrivateKey key) throws IOException {
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.setPosixFilePermissions(file, OWNER_ONLY);
        Files.writeString(file, pem.toString(), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
