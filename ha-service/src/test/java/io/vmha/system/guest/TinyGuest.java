package io.vmha.system.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The tiny Linux test guest (Debian's kernel, busybox, qemu-ga; see system-tests/guest/README.md), built once
 * per JVM into {@code ha-service/target/tiny-guest/} by {@code system-tests/guest/build-guest}, which skips the
 * work when its inputs have not changed. Gives the files, the kernel command line, the qemu arguments that
 * boot it with the guest agent, pvpanic and a forwarded HTTP port, and the same as qemu-driver parameters.
 */
public final class TinyGuest {
    /** Printed on the serial console once httpd and the guest agent run. */
    public static final String READY_MARKER = "vmha-guest: ready";
    /** The virtio-serial port name the guest agent listens on. */
    public static final String AGENT_PORT_NAME = "org.qemu.guest_agent.0";
    /** The guest's health page, served by busybox httpd on port 80, body "ok\n". */
    public static final String HEALTH_PATH = "/health";
    /** Serial console only; a panic stays a panic (the guest's /init also sets kernel.panic=0). */
    public static final String APPEND = "console=ttyS0 panic=0";

    private static TinyGuest built;

    private final Path dir;
    private final String kernelVersion;

    private TinyGuest(Path dir, String kernelVersion) {
        this.dir = dir;
        this.kernelVersion = kernelVersion;
    }

    /** The guest, built on first use in this JVM; fails with the script's message (naming a missing package). */
    public static synchronized TinyGuest get() {
        if (built == null) built = build(repositoryRoot().resolve("ha-service/target/tiny-guest"));
        return built;
    }

    /** A guest whose files are (or will be) in {@code dir}; for tests of the arguments, builds nothing. */
    static TinyGuest at(Path dir, String kernelVersion) {
        return new TinyGuest(dir, kernelVersion);
    }

    public Path kernel() {
        return dir.resolve("vmlinuz");
    }

    public Path initrd() {
        return dir.resolve("initrd.cpio.gz");
    }

    public String append() {
        return APPEND;
    }

    /** The Debian kernel version inside (e.g. 6.1.0-56-amd64), from the build's MANIFEST. */
    public String kernelVersion() {
        return kernelVersion;
    }

    /**
     * The qemu arguments that boot this guest with its agent on {@code agentSocket} (a chardev Unix socket qemu
     * serves), the ISA pvpanic device, and user networking forwarding 127.0.0.1:{@code httpPort} to the guest's
     * port 80. The caller adds machine, memory, console ({@code -serial file:...}), QMP and the panic action.
     */
    public List<String> qemuArgs(Path agentSocket, int httpPort) {
        return List.of(
                "-kernel", kernel().toString(), "-initrd", initrd().toString(), "-append", append(),
                "-chardev", "socket,id=vmha-agent,path=" + agentSocket + ",server=on,wait=off",
                "-device", "virtio-serial-pci,id=vmha-vser0",
                "-device", "virtserialport,bus=vmha-vser0.0,chardev=vmha-agent,name=" + AGENT_PORT_NAME,
                "-device", "pvpanic",
                "-netdev", "user,id=vmha-net0,hostfwd=tcp:127.0.0.1:" + httpPort + "-:80",
                "-device", "virtio-net-pci,netdev=vmha-net0");
    }

    /** The qemu driver's {@code driverParams} for this guest, forwarding 127.0.0.1:{@code httpPort} to port 80. */
    public Map<String, String> driverParams(int httpPort) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("kernel", kernel().toString());
        params.put("initrd", initrd().toString());
        params.put("append", append());
        params.put("guest-agent", "true");
        params.put("pvpanic", "true");
        params.put("netdev", "user,hostfwd=tcp:127.0.0.1:" + httpPort + "-:80");
        return params;
    }

    /** A TCP port free on 127.0.0.1 right now (for hostfwd); another process may still take it first. */
    public static int freeLocalPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TinyGuest build(Path out) {
        Path script = repositoryRoot().resolve("system-tests/guest/build-guest");
        Path log = out.resolveSibling(out.getFileName() + "-build.log");
        try {
            Files.createDirectories(out.getParent());
            Process process = new ProcessBuilder(script.toString(), out.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(script + " did not finish within 5 minutes; see " + log);
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(script + " " + out + " failed (exit " + process.exitValue() + "):\n" + text);
            }
            System.out.print(text);
            return new TinyGuest(out, manifestValue(out.resolve("MANIFEST"), "kernel-version"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the guest", e);
        }
    }

    private static String manifestValue(Path manifest, String key) throws IOException {
        for (String line : Files.readAllLines(manifest)) {
            if (line.startsWith(key + " ")) return line.substring(key.length() + 1).trim();
        }
        throw new IllegalStateException(manifest + " has no '" + key + "' line");
    }

    /** The checkout's root: the nearest directory above the working directory holding system-tests/guest. */
    static Path repositoryRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("system-tests/guest/build-guest"))) return dir;
        }
        throw new IllegalStateException("no system-tests/guest/build-guest above " + start);
    }
}
