package io.vmha.hypervisor.qemu;

import io.vmha.core.VmSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QemuCommandTest {
    static final Path RUN = Path.of("/run/vmha/qemu");

    static VmSpec spec(String name, Map<String, String> params) {
        // VmSpec.DRIVERS accepts only "sim" so far; the qemu driver does not look at the field.
        return new VmSpec(name, 64, 2, "sim", params, true, List.of());
    }

    static List<String> argv(Map<String, String> params, boolean incoming) {
        VmSpec spec = spec("vm1", params);
        return QemuCommand.argv("qemu-system-x86_64", spec, QemuParams.parse(params), VmFiles.of(RUN, "vm1"),
                "h1.e7.123", 7, "raw", incoming);
    }

    /** The value following {@code option}, each time it occurs. */
    static List<String> values(List<String> argv, String option) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < argv.size() - 1; i++) if (argv.get(i).equals(option)) out.add(argv.get(i + 1));
        return out;
    }

    @Test
    void minimalVm() {
        List<String> a = argv(Map.of(), false);
        assertEquals("qemu-system-x86_64", a.get(0));
        assertEquals(List.of("guest=vm1,process=vmha-qemu-vm1"), values(a, "-name"));
        assertEquals(1, a.stream().filter(arg -> arg.contains(QemuCommand.MARKER)).count(), "marker in exactly one element");
        assertEquals(List.of("name=opt/io.vmha/instance,string=h1.e7.123", "name=opt/io.vmha/epoch,string=7"), values(a, "-fw_cfg"));
        assertTrue(a.contains(QemuCommand.instanceArgument("h1.e7.123")));
        assertEquals(List.of("pc,accel=tcg"), values(a, "-machine"));
        assertEquals(List.of("64"), values(a, "-m"));
        assertEquals(List.of("2"), values(a, "-smp"));
        assertTrue(a.containsAll(List.of("-nodefaults", "-no-user-config")));
        assertEquals(List.of("none"), values(a, "-display"));
        assertEquals(List.of("file:/run/vmha/qemu/vm1.console"), values(a, "-serial"));
        assertEquals(List.of("unix:/run/vmha/qemu/vm1.qmp,server=on,wait=off", "unix:/run/vmha/qemu/vm1.chk,server=on,wait=off"),
                values(a, "-qmp"), "the driver's monitor, then the census's");
        assertEquals(java.util.Optional.of(Path.of("/run/vmha/qemu/vm1.chk")), QemuCommand.checkSocket(a));
        assertEquals(List.of("/run/vmha/qemu/vm1.pid"), values(a, "-pidfile"));
        assertEquals(List.of("pvpanic"), values(a, "-device"), "pvpanic is on by default");
        assertEquals(List.of("panic=pause"), values(a, "-action"));
        assertTrue(a.contains("-S"), "starts paused until the driver holds the monitor");
        assertFalse(a.contains("-incoming"));
        assertFalse(a.contains("-kernel") || a.contains("-drive") || a.contains("-netdev") || a.contains("-chardev"));
    }

    @Test
    void everyOption() {
        List<String> a = argv(Map.of("kernel", "/k", "initrd", "/i", "append", "console=ttyS0 quiet",
                "disk", "/images/a,b.img", "guest-agent", "true", "pvpanic", "false",
                "netdev", "user,hostfwd=tcp:127.0.0.1:8080-:80"), false);
        assertEquals(List.of("/k"), values(a, "-kernel"));
        assertEquals(List.of("/i"), values(a, "-initrd"));
        assertEquals(List.of("console=ttyS0 quiet"), values(a, "-append"));
        assertEquals(List.of("file=/images/a,,b.img,format=raw,if=virtio"), values(a, "-drive"), "commas doubled");
        assertEquals(List.of("socket,id=qga0,path=/run/vmha/qemu/vm1.qga,server=on,wait=off"), values(a, "-chardev"));
        assertEquals(List.of("virtio-serial", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
                "virtio-net-pci,netdev=n0"), values(a, "-device"));
        assertEquals(List.of("user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80"), values(a, "-netdev"));
        assertTrue(values(a, "-action").isEmpty(), "no pvpanic, no panic action");
    }

    @Test
    void incomingStartsPausedAndDefersThePort() {
        List<String> a = argv(Map.of(), true);
        assertEquals(List.of("defer"), values(a, "-incoming"), "the port is chosen by qemu after start (migrate-incoming)");
        assertTrue(a.contains("-S"), "a target never runs guest code before activate");
        assertEquals(List.of("user"), List.of(QemuParams.parse(Map.of("netdev", "user")).netdev().get()));
        assertEquals(List.of("user,id=n0"), values(argv(Map.of("netdev", "user"), false), "-netdev"));
    }

    @Test
    void checkSocketIsReadFromTheArgvAlone() {
        assertEquals(java.util.Optional.of(Path.of("/r/a,b.chk")), QemuCommand.checkSocket(
                List.of("qemu", "-qmp", "unix:/r/a,,b.qmp,server=on,wait=off", "-qmp", "unix:/r/a,,b.chk,server=on,wait=off")));
        assertEquals(java.util.Optional.of(Path.of("/r/x.chk")), QemuCommand.checkSocket(List.of("q", "-qmp", "unix:/r/x.chk")));
        assertTrue(QemuCommand.checkSocket(List.of("qemu", "-qmp", "unix:/r/a.qmp,server=on,wait=off")).isEmpty());
        assertTrue(QemuCommand.checkSocket(List.of("qemu", "-qmp", "tcp:127.0.0.1:4444.chk")).isEmpty());
        assertTrue(QemuCommand.checkSocket(List.of("qemu", "-qmp")).isEmpty());
    }
}
