package io.vmha.pki;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Key pairs and X.509 certificates of the pool, built with BouncyCastle's certificate builder and signed by the
 * JDK's own EC provider (BouncyCastle is not registered as a JCA provider).
 *
 * <p>Keys are EC P-256 (ECDSA with SHA-256): BoringSSL, OpenSSL (stunnel) and the JDK all handshake with it, its
 * signatures are much cheaper than RSA 3072's at the same security level (~128 bits), which matters for a
 * TLS 1.3 handshake per migration, and the key files are tiny.
 */
public final class Certificates {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE = "SHA256withECDSA";
    /** Certificates start an hour in the past so a peer whose clock lags a little still accepts them. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private Certificates() {}

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no EC P-256 key generator", e);
        }
    }

    /** A self-signed pool CA: may sign host certificates only (path length 0). */
    public static X509Certificate ca(KeyPair keys, String pool, Instant now, int days) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "vmha")
                .addRDN(BCStyle.CN, "vmha pool " + pool + " CA").build();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, keys, now, days)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(builder, keys.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the CA certificate", e);
        }
    }

    /** A host certificate: CN=host, SAN dNSName=host, TLS client and server authentication, signed by the CA. */
    public static X509Certificate host(KeyPair keys, String host, X509Certificate ca, PrivateKey caKey, Instant now, int days) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "vmha").addRDN(BCStyle.CN, host).build();
        X500Name issuer = X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(issuer, subject, keys, now, days)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, host)))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
            return sign(builder, caKey);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the certificate of " + host, e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Instant now, int days) {
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE); // positive, unpredictable, <= 20 bytes
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(Duration.ofDays(days))), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with " + SIGNATURE, e);
        }
    }

    /** The DNS names of a certificate's subject alternative names, then its CN: the names a peer is known by. */
    public static List<String> names(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    if (Integer.valueOf(GeneralName.dNSName).equals(san.get(0))) names.add(String.valueOf(san.get(1)));
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // an unparsable SAN names nobody; the CN below may still
        }
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        for (var rdn : subject.getRDNs(BCStyle.CN)) {
            String cn = rdn.getFirst().getValue().toString();
            if (!names.contains(cn)) names.add(cn);
        }
        return names;
    }

    /** True if {@code key} signs what {@code cert}'s public key verifies: the key file belongs to the certificate. */
    public static boolean matches(X509Certificate cert, PrivateKey key) {
        try {
            byte[] probe = "vmha key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(SIGNATURE);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(SIGNATURE);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public static X509Certificate read(Path file) throws PkiException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new PkiException("certificate file " + file + ": cannot be read (" + e.getMessage()
                    + "); expected a PEM X.509 certificate (BEGIN CERTIFICATE)", e);
        }
    }

    static String pem(X509Certificate cert) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode a certificate", e);
        }
    }
}
