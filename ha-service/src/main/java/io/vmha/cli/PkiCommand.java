package io.vmha.cli;

import io.vmha.pki.CertificateReport;
import io.vmha.pki.KeyFiles;
import io.vmha.pki.PkiException;
import io.vmha.pki.PoolPki;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vmha pki init|issue|show}: the pool CA and host certificates the migration tunnel authenticates with. */
@Command(name = "pki", mixinStandardHelpOptions = true,
        description = {"The pool's certificate authority and host certificates, used by the migration tunnel (mutual TLS).",
                "Layout of DIR (default " + PoolPki.DEFAULT_DIR_NAME + "): ca.crt, ca.key (0600), hosts/HOST.crt, hosts/HOST.key (0600);",
                "DIR and DIR/hosts are 0700. Private keys must be 0600 or 0400: the agent refuses to start otherwise.",
                "Copy ca.crt and a host's own HOST.crt/HOST.key to each host; keep ca.key only where certificates are issued."},
        subcommands = {PkiCommand.Init.class, PkiCommand.Issue.class, PkiCommand.Show.class})
final class PkiCommand {
    static final String DIR_HELP = "PKI directory (default: ${DEFAULT-VALUE}).";

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the pool CA (EC P-256): DIR/ca.crt and DIR/ca.key (0600). Refuses to overwrite an existing CA.")
    static final class Init implements Callable<Integer> {
        @Option(names = "--dir", defaultValue = PoolPki.DEFAULT_DIR_NAME, paramLabel = "DIR", description = DIR_HELP) Path dir;
        @Option(names = "--pool", defaultValue = "${env:VMHA_POOL:-demo}",
                description = "Pool name, in the CA's subject (default: $VMHA_POOL or ${DEFAULT-VALUE}).") String pool;
        @Option(names = "--days", defaultValue = "" + PoolPki.DEFAULT_CA_DAYS, paramLabel = "N",
                description = "Validity in days (default: ${DEFAULT-VALUE}).") int days;

        @Override public Integer call() throws Exception {
            PoolPki pki = new PoolPki(dir);
            X509Certificate ca = pki.init(pool, days, Instant.now());
            System.out.println("created the CA of pool " + pool + ": " + pki.caCertificate() + " (valid until "
                    + ca.getNotAfter().toInstant() + "), key " + pki.caKey() + " (mode " + KeyFiles.mode(pki.caKey()) + ")");
            return 0;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Create HOST's key and certificate (CN=HOST, SAN DNS:HOST, TLS client + server), signed by the pool CA: "
                    + "DIR/hosts/HOST.crt and DIR/hosts/HOST.key (0600).")
    static final class Issue implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "HOST", description = "The host's name in the pool (its agent's host.name).") String host;
        @Option(names = "--dir", defaultValue = PoolPki.DEFAULT_DIR_NAME, paramLabel = "DIR", description = DIR_HELP) Path dir;
        @Option(names = "--days", defaultValue = "" + PoolPki.DEFAULT_HOST_DAYS, paramLabel = "N",
                description = "Validity in days (default: ${DEFAULT-VALUE}).") int days;
        @Option(names = "--force", description = "Replace HOST's existing key and certificate (re-key, or renew).") boolean force;

        @Override public Integer call() throws Exception {
            PoolPki pki = new PoolPki(dir);
            try {
                X509Certificate cert = pki.issue(host, days, force, Instant.now());
                System.out.println("issued " + pki.hostCertificate(host) + " for " + host + " (serial " + cert.getSerialNumber().toString(16)
                        + ", valid until " + cert.getNotAfter().toInstant() + "), key " + pki.hostKey(host) + " (mode "
                        + KeyFiles.mode(pki.hostKey(host)) + ")");
                return 0;
            } catch (PkiException e) {
                System.err.println("vmha: " + e.getMessage());
                return Main.FAILED;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "List the CA and host certificates: subject, serial, expiry, key file mode and problems. Exit 1 if any.")
    static final class Show implements Callable<Integer> {
        @Option(names = "--dir", defaultValue = PoolPki.DEFAULT_DIR_NAME, paramLabel = "DIR", description = DIR_HELP) Path dir;
        @Option(names = "--json", description = "Print JSON.") boolean json;

        @Override public Integer call() throws Exception {
            List<CertificateReport> reports = new PoolPki(dir).show(Instant.now());
            System.out.print(json ? Json.write(reports) + "\n" : render(reports));
            return reports.stream().allMatch(CertificateReport::ok) ? 0 : Main.FAILED;
        }
    }

    static String render(List<CertificateReport> reports) {
        StringBuilder out = new StringBuilder(String.format("%-20s %-34s %-24s %-8s %s%n", "NAME", "SERIAL", "NOT_AFTER", "KEY_MODE", "SUBJECT"));
        for (CertificateReport r : reports) {
            out.append(String.format("%-20s %-34s %-24s %-8s %s%n", r.name(), r.serial().isEmpty() ? "-" : r.serial(),
                    r.notAfter().isEmpty() ? "-" : r.notAfter(), r.keyMode(), r.subject().isEmpty() ? r.certificate() : r.subject()));
            for (String problem : r.problems()) out.append("    problem: ").append(problem).append('\n');
        }
        return out.toString();
    }
}
