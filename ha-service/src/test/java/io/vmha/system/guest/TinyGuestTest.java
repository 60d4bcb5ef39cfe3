package io.vmha.system.guest;

import io.vmha.hypervisor.qemu.QemuParams;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guest's qemu arguments and driver parameters, without building or booting it. */
class TinyGuestTest {
    private final TinyGuest guest = TinyGuest.at(Path.of("/work/x/target/tiny-guest"), "6.1.0-0-amd64");

    @Test
    void theQemuDriverAcceptsTheDriverParams() {
        QemuParams params = QemuParams.parse(guest.driverParams(18080));
        assertEquals(Optional.of("/work/x/target/tiny-guest/vmlinuz"), params.kernel());
        assertEquals(Optional.of("/work/x/target/tiny-guest/initrd.cpio.gz"), params.initrd());
        assertEquals(Optional.of("console=ttyS0 panic=0"), params.append());
        assertTrue(params.guestAgent());
        assertTrue(params.pvpanic());
        assertEquals(Optional.of("user,hostfwd=tcp:127.0.0.1:18080-:80"), params.netdev());
    }

    @Test
    void qemuArgsWireTheAgentPortPvpanicAndTheForwardedHttpPort() {
        List<String> args = guest.qemuArgs(Path.of("/tmp/d/agent.sock"), 18080);
        assertEquals(List.of(
                "-kernel", "/work/x/target/tiny-guest/vmlinuz",
                "-initrd", "/work/x/target/tiny-guest/initrd.cpio.gz",
                "-append", "console=ttyS0 panic=0",
                "-chardev", "socket,id=vmha-agent,path=/tmp/d/agent.sock,server=on,wait=off",
                "-device", "virtio-serial-pci,id=vmha-vser0",
                "-device", "virtserialport,bus=vmha-vser0.0,chardev=vmha-agent,name=org.qemu.guest_agent.0",
                "-device", "pvpanic",
                "-netdev", "user,id=vmha-net0,hostfwd=tcp:127.0.0.1:18080-:80",
                "-device", "virtio-net-pci,netdev=vmha-net0"), args);
    }
}
