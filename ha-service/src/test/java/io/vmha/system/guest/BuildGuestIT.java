package io.vmha.system.guest;

import io.vmha.system.SystemTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * system-tests/guest/build-guest itself: shellcheck-clean, the archive holds what the guest needs, two builds
 * are byte-identical, an unchanged OUTDIR is skipped, and a missing input names its Debian package.
 */
class BuildGuestIT {
    private static final Path ROOT = TinyGuest.repositoryRoot();
    private static final Path SCRIPT = ROOT.resolve("system-tests/guest/build-guest");

    @TempDir
    Path tmp;

    @Test
    void theScriptsAreShellcheckClean() throws Exception {
        Path shellcheck = SystemTools.require("shellcheck", "shellcheck");
        Result result = run(Map.of(), shellcheck.toString(), SCRIPT.toString(), ROOT.resolve("system-tests/guest/init").toString());
        assertEquals(0, result.exit, result.output);
    }

    @Test
    void twoBuildsAreIdenticalAndAnUpToDateOutdirIsSkipped() throws Exception {
        SystemTools.require("cpio", "cpio");
        Path first = tmp.resolve("a");
        Path second = tmp.resolve("b");
        Result built = run(Map.of(), SCRIPT.toString(), first.toString());
        assertEquals(0, built.exit, built.output);
        assertTrue(built.output.contains("built"), built.output);
        Result built1 = run(Map.of(), SCRIPT.toString(), second.toString());
        assertEquals(0, built1.exit, built1.output);
        for (String file : List.of("vmlinuz", "initrd.cpio.gz", "MANIFEST")) {
            assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file);
        }
        long mtime = Files.getLastModifiedTime(first.resolve("initrd.cpio.gz")).toMillis();
        Result again = run(Map.of(), SCRIPT.toString(), first.toString());
        assertEquals(0, again.exit, again.output);
        assertTrue(again.output.contains("up to date"), again.output);
        assertEquals(mtime, Files.getLastModifiedTime(first.resolve("initrd.cpio.gz")).toMillis(), "not rewritten");

        // Without its recorded input digest (e.g. an interrupted build) the OUTDIR is rebuilt.
        Files.delete(first.resolve("INPUTS.sha256"));
        assertTrue(run(Map.of(), SCRIPT.toString(), first.toString()).output.contains("built"));
    }

    @Test
    void theImageHoldsTheDebianKernelAndWhatTheGuestRuns() throws Exception {
        SystemTools.require("cpio", "cpio");
        Path out = tmp.resolve("guest");
        Result built2 = run(Map.of(), SCRIPT.toString(), out.toString());
        assertEquals(0, built2.exit, built2.output);
        String version = Files.readAllLines(out.resolve("MANIFEST")).get(0).replace("kernel-version ", "");
        assertArrayEquals(Files.readAllBytes(Path.of("/boot/vmlinuz-" + version)), Files.readAllBytes(out.resolve("vmlinuz")),
                "the kernel is Debian's /boot/vmlinuz-" + version);
        Result listing = run(Map.of(), "/bin/sh", "-c", "gzip -dc " + out.resolve("initrd.cpio.gz") + " | cpio -t --quiet");
        assertEquals(0, listing.exit, listing.output);
        List<String> files = listing.output.lines().toList();
        for (String needed : List.of("init", "bin/busybox", "bin/sh", "usr/sbin/httpd", "usr/sbin/qemu-ga", "usr/bin/chrt",
                "usr/bin/taskset", "lib64/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/libglib-2.0.so.0",
                "lib/modules/virtio_pci.ko", "lib/modules/virtio_console.ko", "lib/modules/virtio_net.ko",
                "lib/modules/net_failover.ko", "lib/modules/failover.ko", "lib/modules/pvpanic.ko",
                "lib/modules/pvpanic-mmio.ko", "www/health", "etc/modules.order")) {
            assertTrue(files.contains(needed), needed + " missing from the initramfs: " + files.size() + " entries");
        }
    }

    @Test
    void aMissingInputNamesItsDebianPackage() throws Exception {
        // PATH with every command but modprobe: the build must stop and name kmod.
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")) {
            try (Stream<Path> commands = Files.list(Path.of(dir))) {
                for (Path command : (Iterable<Path>) commands::iterator) {
                    Path link = bin.resolve(command.getFileName());
                    if (!command.getFileName().toString().equals("modprobe") && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, command);
                    }
                }
            }
        }
        Path out = tmp.resolve("out");
        Result result = run(Map.of("PATH", bin.toString()), SCRIPT.toString(), out.toString());
        assertNotEquals(0, result.exit, result.output);
        assertTrue(result.output.contains("modprobe") && result.output.contains("Debian package kmod"), result.output);
        assertTrue(!Files.exists(out.resolve("initrd.cpio.gz")), "nothing built");
    }

    private record Result(int exit, String output) {}

    private Result run(Map<String, String> env, String... argv) throws IOException, InterruptedException {
        Path log = Files.createTempFile(tmp, "run", ".log");
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(argv))).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " did not finish");
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
