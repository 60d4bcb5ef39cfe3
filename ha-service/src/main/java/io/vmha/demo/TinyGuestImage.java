package io.vmha.demo;

import io.vmha.core.InvalidInputException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The tiny Linux guest (Debian kernel, busybox, qemu-ga) the qemu guest-hang demo boots, built by the checkout's
 * {@code system-tests/guest/build-guest} into a cache directory: the first run takes a few seconds, later ones
 * find it up to date. A missing Debian package fails the demo at once, with the script's message naming it.
 */
final class TinyGuestImage {
    static final String SCRIPT = "system-tests/guest/build-guest";
    /** What /init prints on the serial console once the guest agent runs (system-tests/guest/init). */
    static final String READY_MARKER = "vmha-guest: ready";
    /** Serial console; a panic stays a panic (the qemu driver pauses a panicked guest). */
    static final String APPEND = "console=ttyS0 panic=0";

    private final Path dir;

    private TinyGuestImage(Path dir) {
        this.dir = dir;
    }

    Path kernel() { return dir.resolve("vmlinuz"); }

    Path initrd() { return dir.resolve("initrd.cpio.gz"); }

    /** The qemu driver's params: direct kernel boot, the guest agent channel, pvpanic; no NIC (the demo needs none). */
    Map<String, String> driverParams() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("kernel", kernel().toString());
        params.put("initrd", initrd().toString());
        params.put("append", APPEND);
        params.put("guest-agent", "true");
        params.put("pvpanic", "true");
        return params;
    }

    /**
     * Build (or find up to date) the guest in {@code ${XDG_CACHE_HOME:-~/.cache}/vmha/tiny-guest}.
     *
     * @throws InvalidInputException naming {@code --driver qemu} and what to install, when the script or a package is missing
     */
    static TinyGuestImage build(PrintStream out) throws IOException, InterruptedException {
        Path script = findScript();
        Path cache = cacheDir();
        Files.createDirectories(cache.getParent());
        out.println("building the tiny guest with " + script + " into " + cache + " ...");
        Process p = new ProcessBuilder(script.toString(), cache.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(script + " did not finish within 5 minutes");
        }
        if (p.exitValue() != 0) {
            throw new InvalidInputException("--driver", "qemu", "sim for guest-hang, or what the tiny guest needs: "
                    + lastMessage(text) + " (" + script + " exited " + p.exitValue() + ")");
        }
        out.print(text);
        TinyGuestImage image = new TinyGuestImage(cache);
        if (!Files.isRegularFile(image.kernel()) || !Files.isRegularFile(image.initrd())) {
            throw new IOException(script + " succeeded but left no vmlinuz/initrd.cpio.gz in " + cache);
        }
        return image;
    }

    /** The script's own diagnosis ("build-guest: Debian package X is not installed ..."), else its last line. */
    static String lastMessage(String output) {
        List<String> lines = new ArrayList<>(output.lines().filter(l -> !l.isBlank()).toList());
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("build-guest: ")) return lines.get(i);
        }
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
    }

    private static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("vmha/tiny-guest");
    }

    /**
     * The script ships with the checkout, not in the jar: look above the jar (ha-service/target/vmha.jar) and
     * above the working directory.
     */
    private static Path findScript() {
        List<Path> starts = new ArrayList<>();
        try {
            starts.add(Path.of(TinyGuestImage.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (Exception e) {
            // no code source (unusual class loader): the working directory still counts
        }
        starts.add(Path.of(System.getProperty("user.dir")));
        for (Path start : starts) {
            for (Path d = start.toAbsolutePath(); d != null; d = d.getParent()) {
                if (Files.isExecutable(d.resolve(SCRIPT))) return d.resolve(SCRIPT);
            }
        }
        throw new InvalidInputException("--driver", "qemu", "sim for guest-hang, or run the demo from a vmha checkout: "
                + SCRIPT + " (which builds the guest) was not found above " + starts);
    }
}
