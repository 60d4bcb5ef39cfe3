package io.vmha.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vmha pki init|issue|show through the CLI: exit codes and what is printed. */
class PkiCommandTest {
    @TempDir Path temp;

    private record Run(int exit, String out) {}

    private static Run vmha(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.run(args), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    @Test void initIssueShowAndTheirRefusals() throws Exception {
        String dir = temp.resolve("pki").toString();
        Run init = vmha("pki", "init", "--dir", dir, "--pool", "prod");
        assertEquals(0, init.exit(), init.out());
        assertTrue(init.out().contains("created the CA of pool prod") && init.out().contains("mode 0600"), init.out());
        assertEquals(Main.BAD_INPUT, vmha("pki", "init", "--dir", dir).exit(), "a second init must not overwrite the CA");
        assertEquals(0, vmha("pki", "issue", "hv1", "--dir", dir).exit());
        assertEquals(Main.BAD_INPUT, vmha("pki", "issue", "hv1", "--dir", dir).exit(), "no silent re-issue");
        assertEquals(0, vmha("pki", "issue", "hv1", "--dir", dir, "--force").exit());
        assertEquals(Main.BAD_INPUT, vmha("pki", "issue", "bad name", "--dir", dir).exit());
        assertEquals(Main.BAD_INPUT, vmha("pki", "issue", "hv2", "--dir", dir, "--days", "0").exit());

        Run show = vmha("pki", "show", "--dir", dir);
        assertEquals(0, show.exit(), show.out());
        assertTrue(show.out().contains("hv1") && show.out().contains("CN=vmha pool prod CA"), show.out());
        Run json = vmha("pki", "show", "--dir", dir, "--json");
        assertTrue(json.out().contains("\"keyMode\" : \"0600\""), json.out());

        Files.setPosixFilePermissions(temp.resolve("pki/hosts/hv1.key"), PosixFilePermissions.fromString("rw-r--r--"));
        Run bad = vmha("pki", "show", "--dir", dir);
        assertEquals(Main.FAILED, bad.exit(), bad.out());
        assertTrue(bad.out().contains("problem: private key file") && bad.out().contains("mode 0644 is not accepted"), bad.out());
    }
}
