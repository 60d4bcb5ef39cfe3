package io.vmha.hypervisor.qemu;

import io.vmha.core.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QemuParamsTest {
    @Test
    void defaults() {
        QemuParams p = QemuParams.parse(Map.of());
        assertEquals(Optional.empty(), p.kernel());
        assertEquals(Optional.empty(), p.disk());
        assertEquals("auto", p.diskFormat());
        assertFalse(p.guestAgent());
        assertTrue(p.pvpanic());
        assertEquals(Optional.empty(), p.netdev());
        assertEquals("pc,accel=tcg", p.machine());
    }

    @Test
    void everyKey() {
        QemuParams p = QemuParams.parse(Map.of("kernel", "/boot/vmlinuz", "initrd", "/boot/initrd.img",
                "append", "console=ttyS0 panic=-1", "disk", "/var/lib/vm1.qcow2", "disk-format", "qcow2",
                "guest-agent", "true", "pvpanic", "false", "netdev", "user,hostfwd=tcp:127.0.0.1:8080-:80",
                "machine", "q35,accel=kvm"));
        assertEquals(Optional.of("/boot/vmlinuz"), p.kernel());
        assertEquals(Optional.of("console=ttyS0 panic=-1"), p.append());
        assertEquals("qcow2", p.diskFormat());
        assertTrue(p.guestAgent());
        assertFalse(p.pvpanic());
        assertEquals(Optional.of("user,hostfwd=tcp:127.0.0.1:8080-:80"), p.netdev());
        assertEquals("q35,accel=kvm", p.machine());
    }

    @Test
    void unknownKeyIsNamedWithTheAcceptedOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> QemuParams.parse(Map.of("memory", "64")));
        assertEquals("vm.driver-params.memory", e.field());
        assertTrue(e.getMessage().contains("\"memory\" is not accepted; expected one of [kernel, initrd, append, disk, "
                + "disk-format, guest-agent, pvpanic, netdev, machine]"), e.getMessage());
    }

    @Test
    void badValuesNameFieldValueAndWhatIsAccepted() {
        assertBad(Map.of("guest-agent", "yes"), "vm.driver-params.guest-agent", "yes", "true or false");
        assertBad(Map.of("pvpanic", "1"), "vm.driver-params.pvpanic", "1", "true or false");
        assertBad(Map.of("kernel", "vmlinuz"), "vm.driver-params.kernel", "vmlinuz", "an absolute file path");
        assertBad(Map.of("initrd", "/boot/initrd"), "vm.driver-params.initrd", "/boot/initrd", "only together with kernel");
        assertBad(Map.of("append", "quiet"), "vm.driver-params.append", "quiet", "only together with kernel");
        assertBad(Map.of("disk", "/d.img", "disk-format", "vmdk"), "vm.driver-params.disk-format", "vmdk", "one of [auto, raw, qcow2]");
        assertBad(Map.of("disk-format", "raw"), "vm.driver-params.disk-format", "raw", "only together with disk");
        assertBad(Map.of("netdev", "socket,listen=:1234"), "vm.driver-params.netdev", "socket,listen=:1234", "[user, tap, bridge]");
        assertBad(Map.of("netdev", "user,id=x"), "vm.driver-params.netdev", "user,id=x", "no id= option");
        assertBad(Map.of("netdev", "user,hostfwd=tcp::80-:80 -device foo"), "vm.driver-params.netdev",
                "user,hostfwd=tcp::80-:80 -device foo", "-netdev backend");
        assertBad(Map.of("machine", "pc accel=tcg"), "vm.driver-params.machine", "pc accel=tcg", "-machine value");
        assertBad(Map.of("machine", ""), "vm.driver-params.machine", "", "-machine value");
        assertBad(Map.of("kernel", "/k", "append", "a\nb"), "vm.driver-params.append", "a\nb", "one line");
    }

    private static void assertBad(Map<String, String> params, String field, String value, String acceptedPart) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> QemuParams.parse(params), params::toString);
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(value, e.value(), e.getMessage());
        assertTrue(e.accepted().contains(acceptedPart), e.getMessage());
    }

    @Test
    void configIsValidated() {
        Path run = Path.of("/run/vmha/qemu");
        assertEquals(run, QemuConfig.defaults(run).runDir());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> QemuConfig.defaults(Path.of("relative")));
        assertEquals("hypervisor.qemu.run-dir", e.field());
        e = assertThrows(InvalidInputException.class, () -> QemuConfig.defaults(Path.of("/" + "x".repeat(60))));
        assertTrue(e.accepted().contains("at most 39 characters"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> new QemuConfig("qemu system", run, 2000, 10000));
        assertEquals("hypervisor.qemu.binary", e.field());
        e = assertThrows(InvalidInputException.class, () -> new QemuConfig("qemu", run, 50, 10000));
        assertEquals("hypervisor.qemu.stop-timeout-ms", e.field());
        assertEquals("50", e.value());
        e = assertThrows(InvalidInputException.class, () -> new QemuConfig("qemu", run, 2000, 999_999));
        assertEquals("hypervisor.qemu.start-timeout-ms", e.field());
    }
}
