package io.vmha.pki;

import java.nio.file.Path;
import java.util.List;

/** One line of {@code vmha pki show}: a certificate, its key file's mode, and everything wrong with them. */
public record CertificateReport(String name, String certificate, String subject, String serial, String notAfter,
                                String dnsNames, String keyFile, String keyMode, List<String> problems) {
    public CertificateReport {
        problems = List.copyOf(problems);
    }

    static CertificateReport missing(String name, Path cert, Path key) {
        return new CertificateReport(name, cert.toString(), "", "", "", "", key.toString(), KeyFiles.mode(key),
                List.of("certificate " + cert + " is missing (run 'vmha pki init')"));
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
