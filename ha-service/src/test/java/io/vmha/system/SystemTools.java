package io.vmha.system;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The system tests' one rule about tools: a command they need and cannot find FAILS the test, naming the
 * Debian package that provides it (system-tests/run installs them first). Never a skip: a green run
 * must mean the real tool ran.
 */
public final class SystemTools {
    private SystemTools() {}

    /** The absolute path of {@code command} on PATH (or /usr/sbin, /sbin); fails the test if absent. */
    public static Path require(String command, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        return fail("system test needs '" + command + "' (Debian package " + debianPackage
                + "); run system-tests/run, which installs it with apt-get");
    }
}
