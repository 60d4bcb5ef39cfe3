package io.vmha.system.qemu;

import io.vmha.system.SystemTools;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throw-away Linux guest for the driver's tests (not the project's guest image): the host's Debian kernel
 * and an initramfs of busybox-static, the pvpanic and virtio-console modules and the host's qemu-ga with
 * its libraries. Its init starts the agent on the {@code org.qemu.guest_agent.0} port and panics (init
 * exits) once {@code /tmp/panic} exists, which a test creates through the agent's {@code guest-file-open}.
 */
public final class TestGuest {
    /** In dependency order (modules.dep): each after the ones it needs. */
    static final List<String> MODULES = List.of("pvpanic", "pvpanic-mmio", "virtio_ring", "virtio",
            "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci", "virtio_console");

    static final String INIT = """
            #!/bin/busybox sh
            bb=/bin/busybox
            $bb mkdir -p /proc /sys /dev /tmp /var/run
            $bb mount -t proc proc /proc
            $bb mount -t sysfs sys /sys
            $bb mount -t devtmpfs dev /dev
            for m in %s; do $bb insmod /modules/$m.ko || echo "vmha-test-guest: insmod $m failed"; done
            for i in 1 2 3 4 5 6 7 8 9 10; do
              $bb grep -qs org.qemu.guest_agent.0 /sys/class/virtio-ports/*/name && break
              $bb sleep 1
            done
            port=$($bb grep -l org.qemu.guest_agent.0 /sys/class/virtio-ports/*/name | $bb head -1)
            dev=/dev/$($bb basename $($bb dirname "$port"))
            /usr/sbin/qemu-ga -m virtio-serial -p "$dev" -t /tmp &
            echo "vmha-test-guest: agent started on $dev"
            while ! $bb test -e /tmp/panic; do $bb sleep 1; done
            echo "vmha-test-guest: init exits, the kernel panics"
            exit 1
            """.formatted(String.join(" ", MODULES));

    public final Path kernel;
    public final Path initrd;

    private TestGuest(Path kernel, Path initrd) {
        this.kernel = kernel;
        this.initrd = initrd;
    }

    /** The driver params that boot it with its agent channel. */
    Map<String, String> params() {
        return Map.of("kernel", kernel.toString(), "initrd", initrd.toString(),
                "append", "console=ttyS0 panic=0 quiet", "guest-agent", "true");
    }

    public static TestGuest build(Path dir) throws IOException, InterruptedException {
        SystemTools.require("cpio", "cpio");
        SystemTools.require("ldd", "libc-bin");
        Path busybox = SystemTools.require("busybox", "busybox-static");
        Path agent = SystemTools.require("qemu-ga", "qemu-guest-agent");
        Path kernel = debianKernel();
        String version = kernel.getFileName().toString().substring("vmlinuz-".length());
        Path modules = Path.of("/lib/modules", version);
        if (!Files.isDirectory(modules)) throw new IOException("no " + modules + " for " + kernel + " (package linux-image-amd64)");

        Path root = dir.resolve("initramfs");
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("modules"));
        copy(busybox, root.resolve("bin/busybox"));
        String dep = Files.readString(modules.resolve("modules.dep"));
        for (String m : MODULES) {
            Matcher path = Pattern.compile("(?m)^(\\S*/" + Pattern.quote(m) + "\\.ko):").matcher(dep);
            if (!path.find()) throw new IOException("module " + m + " not in " + modules.resolve("modules.dep"));
            copy(modules.resolve(path.group(1)), root.resolve("modules/" + m + ".ko"));
        }
        copy(agent, root.resolve("usr/sbin/qemu-ga"));
        for (String lib : sharedLibraries(agent)) copy(Path.of(lib), root.resolve(lib.substring(1)));
        Path init = root.resolve("init");
        Files.writeString(init, INIT);
        init.toFile().setExecutable(true);

        Path initrd = dir.resolve("initrd.cpio");
        Process cpio = new ProcessBuilder("sh", "-c", "find . | cpio -o -H newc --quiet")
                .directory(root.toFile()).redirectOutput(initrd.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (cpio.waitFor() != 0) throw new IOException("cpio failed: exit " + cpio.exitValue());
        return new TestGuest(kernel, initrd);
    }

    /** {@code /boot/vmlinuz-*-amd64}, the newest: the installed Debian kernel, not the running one. */
    static Path debianKernel() throws IOException {
        List<Path> kernels = new ArrayList<>();
        try (DirectoryStream<Path> boot = Files.newDirectoryStream(Path.of("/boot"), "vmlinuz-*-amd64")) {
            boot.forEach(kernels::add);
        }
        if (kernels.isEmpty()) throw new IOException("no /boot/vmlinuz-*-amd64 (Debian package linux-image-amd64)");
        kernels.sort(null);
        return kernels.get(kernels.size() - 1);
    }

    private static List<String> sharedLibraries(Path binary) throws IOException, InterruptedException {
        Process ldd = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
        String out = new String(ldd.getInputStream().readAllBytes());
        if (ldd.waitFor() != 0) throw new IOException("ldd " + binary + " failed: " + out);
        List<String> libs = new ArrayList<>();
        Matcher m = Pattern.compile("(/\\S+)").matcher(out);
        while (m.find()) libs.add(m.group(1));
        return libs;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from.toRealPath(), to);
        if (new File(from.toString()).canExecute()) to.toFile().setExecutable(true);
    }
}
