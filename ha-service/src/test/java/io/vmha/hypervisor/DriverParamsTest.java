package io.vmha.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriverParamsTest {
    private static VmSpec spec(String driver, Map<String, String> params) {
        return new VmSpec("v", 64, 1, driver, params, true, List.of());
    }

    @Test
    void validParamsPass() {
        VmSpec qemu = spec("qemu", Map.of("guest-agent", "true", "machine", "pc,accel=tcg"));
        assertSame(qemu, DriverParams.check(qemu));
        VmSpec sim = spec("sim", Map.of());
        assertSame(sim, DriverParams.check(sim));
        VmSpec libvirt = spec("libvirt", Map.of("guest-agent", "true"));
        assertSame(libvirt, DriverParams.check(libvirt));
    }

    @Test
    void unknownKeysAreRefusedWithTheKeyNamed() {
        InvalidInputException qemu = assertThrows(InvalidInputException.class,
                () -> DriverParams.check(spec("qemu", Map.of("kernal", "/boot/vmlinuz"))));
        assertEquals("vm.driver-params.kernal", qemu.field());
        InvalidInputException sim = assertThrows(InvalidInputException.class,
                () -> DriverParams.check(spec("sim", Map.of("disk", "/x"))));
        assertEquals("vm.driver-params.disk", sim.field());
        InvalidInputException libvirt = assertThrows(InvalidInputException.class,
                () -> DriverParams.check(spec("libvirt", Map.of("append", "console=ttyS0"))));
        assertTrue(libvirt.field().endsWith("append"), libvirt.field());
    }
}
