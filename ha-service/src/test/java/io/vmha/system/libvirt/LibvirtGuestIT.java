package io.vmha.system.libvirt;

import io.vmha.core.VmSpec;
import io.vmha.core.port.GuestPing;
import io.vmha.core.port.LocalVm;
import io.vmha.hypervisor.libvirt.LibvirtConfig;
import io.vmha.hypervisor.libvirt.LibvirtHypervisor;
import io.vmha.system.guest.GuestFaults;
import io.vmha.system.guest.TinyGuest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.vmha.system.libvirt.LibvirtFixture.virsh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The libvirt driver with the project's tiny Linux guest ({@link TinyGuest}: Debian kernel, busybox,
 * qemu-ga): the agent answers guest-ping, a real kernel panic reaches the driver through pvpanic
 * and {@code on_crash=preserve} as PANICKED, and a reset boots the guest again under the same instance.
 */
class LibvirtGuestIT {
    private static LibvirtFixture fixture;
    private final String vm = "vmha-itg-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Long> changes = new LinkedBlockingQueue<>();
    private LibvirtHypervisor driver;
    @TempDir
    Path dir;

    @BeforeAll
    static void libvirtd() throws Exception {
        fixture = new LibvirtFixture();
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        if (fixture != null) fixture.close();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (driver != null) driver.close();
        LibvirtFixture.removeDomains(vm);
    }

    @Test
    void agentAnswersPanicIsPanickedResetBootsAgain() throws Exception {
        // qemu runs as libvirt-qemu: the guest's files must be reachable by it (a JUnit temp dir is 0700),
        // and the kernel is copied so that libvirt's relabelling never touches /boot.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        TinyGuest guest = TinyGuest.get();
        Path kernel = Files.copy(guest.kernel(), dir.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING);
        Path initrd = Files.copy(guest.initrd(), dir.resolve("initrd.cpio.gz"), StandardCopyOption.REPLACE_EXISTING);
        for (Path f : List.of(kernel, initrd)) Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));

        driver = new LibvirtHypervisor("h1", LibvirtConfig.defaults(dir.resolve("run")), (s, l) -> journal.add(l),
                () -> changes.add(System.nanoTime()));
        VmSpec spec = new VmSpec(vm, 128, 1, "sim", Map.of("kernel", kernel.toString(), "initrd", initrd.toString(),
                "cmdline", guest.append(), "guest-agent", "true"), true, List.of());
        long t0 = System.nanoTime();
        LocalVm started = driver.start(spec, 3);
        awaitPing(GuestPing.OK, 120, "guest agent up after boot");
        System.out.printf("libvirt guest: agent answers %d ms after start%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        long p0 = System.nanoTime();
        assertEquals(GuestPing.OK, driver.pingGuest(vm, 2000));
        System.out.printf("libvirt guest: one guest-ping round trip (virsh) %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - p0));

        // A real kernel panic (sysrq-c a second after guest-exec returns), reported through pvpanic.
        String exec = virsh(false, "qemu-agent-command", vm, "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\","
                + "\"arg\":[\"-c\",\"" + GuestFaults.PANIC + "\"],\"capture-output\":false}}");
        if (!exec.contains("\"pid\"")) fail("guest-exec answered " + exec);
        awaitPing(GuestPing.PANICKED, 30, "kernel panic seen");
        assertEquals("crashed (panicked)", virsh(false, "domstate", "--reason", vm).strip());
        assertTrue(journal.stream().anyMatch(l -> l.contains("guest panicked")), journal.toString());

        driver.reset(vm, "panicked");
        assertEquals(started, driver.instances().get(vm), "same instance and epoch after the reset");
        awaitPing(GuestPing.OK, 120, "guest agent up after the reset");
    }

    private void awaitPing(GuestPing expected, int seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        GuestPing last;
        while ((last = driver.pingGuest(vm, 1000)) != expected) {
            if (System.nanoTime() > deadline) fail(what + ": still " + last + " after " + seconds + " s; journal " + journal);
            Thread.sleep(500);
        }
    }
}
