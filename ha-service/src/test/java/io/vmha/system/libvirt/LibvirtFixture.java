package io.vmha.system.libvirt;

import io.vmha.system.SystemTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A running libvirtd for the libvirt driver's system tests, through {@code system-tests/libvirt-up} (the
 * same script system-tests/run can call). Daemons the script started are stopped again by pid in
 * {@link #close()}; daemons that already ran are left alone. Also the cleanup of test domains.
 */
final class LibvirtFixture implements AutoCloseable {
    static final String URI = "qemu:///system";
    private static final Pattern STARTED = Pattern.compile("libvirt-up: started (\\S+) pid (\\d+)");

    private final List<Long> startedPids = new ArrayList<>();

    LibvirtFixture() throws Exception {
        SystemTools.require("virsh", "libvirt-clients");
        SystemTools.require("libvirtd", "libvirt-daemon");
        SystemTools.require("virtlogd", "libvirt-daemon");
        SystemTools.require("qemu-system-x86_64", "qemu-system-x86");
        Path script = repositoryRoot().resolve("system-tests/libvirt-up");
        Process p = new ProcessBuilder("bash", script.toString(), "60").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) fail("system-tests/libvirt-up failed:\n" + out);
        Matcher m = STARTED.matcher(out);
        while (m.find()) startedPids.add(Long.parseLong(m.group(2)));
    }

    static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("system-tests/libvirt-up"))) return d;
        }
        return fail("cannot find system-tests/libvirt-up above " + dir);
    }

    /** Runs {@code virsh -c URI args...}; returns stdout, fails the test on a non-zero exit unless {@code mayFail}. */
    static String virsh(boolean mayFail, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + ": no answer in 60 s");
        }
        if (p.exitValue() != 0 && !mayFail) fail(String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    /** Destroys and undefines every domain whose name starts with {@code prefix} (the test's own). */
    static void removeDomains(String prefix) throws IOException, InterruptedException {
        for (String name : virsh(true, "list", "--all", "--name").split("\n")) {
            name = name.strip();
            if (!name.startsWith(prefix)) continue;
            virsh(true, "destroy", name);
            virsh(true, "undefine", name);
        }
    }

    /** Stops, by pid, the daemons this fixture started. */
    @Override
    public void close() throws InterruptedException {
        for (long pid : startedPids) {
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
    }
}
