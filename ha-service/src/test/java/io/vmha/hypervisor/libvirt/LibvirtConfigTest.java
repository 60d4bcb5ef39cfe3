package io.vmha.hypervisor.libvirt;

import io.vmha.core.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibvirtConfigTest {
    private static final Path RUN = Path.of("/var/lib/vmha/libvirt");

    @Test
    void defaults() {
        LibvirtConfig c = LibvirtConfig.defaults(RUN);
        assertEquals("qemu:///system", c.uri());
        assertEquals("virsh", c.virsh());
        assertEquals(5_000, c.pollIntervalMillis());
        assertEquals(Path.of("/run/libvirt/qemu"), c.pidDirectory());
        assertEquals(RUN.resolve("domains"), c.domainsDirectory());
    }

    @Test
    void badValuesNameTheFieldTheValueAndWhatIsAccepted() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new LibvirtConfig("system", "virsh", RUN,
                RUN, 100, 5000, 5000, 10000, 30000));
        assertEquals("hypervisor.libvirt.uri", e.field());
        assertEquals("system", e.value());
        assertTrue(e.getMessage().contains("qemu:///system"), e.getMessage());

        e = assertThrows(InvalidInputException.class, () -> LibvirtConfig.defaults(RUN).withPollIntervalMillis(0));
        assertEquals("hypervisor.libvirt.poll-interval-ms: 0 is not accepted; expected 100 to 3600000", e.getMessage());

        e = assertThrows(InvalidInputException.class, () -> new LibvirtConfig("qemu:///system", "virsh", RUN, RUN,
                1000, 500, 5000, 10000, 30000));
        assertEquals("hypervisor.libvirt.event-restart-max-ms", e.field());

        e = assertThrows(InvalidInputException.class, () -> LibvirtConfig.defaults(RUN).withVirsh(" "));
        assertEquals("hypervisor.libvirt.virsh", e.field());

        e = assertThrows(InvalidInputException.class, () -> new LibvirtConfig("qemu:///system", "virsh", null, RUN,
                100, 5000, 5000, 10000, 30000));
        assertEquals("hypervisor.libvirt.run-directory", e.field());
    }

    @Test
    void remoteAndSessionUrisAreAccepted() {
        new LibvirtConfig("qemu+ssh://root@h2/system", "virsh", RUN, RUN, 100, 5000, 5000, 10000, 30000);
        new LibvirtConfig("qemu:///session", "/usr/bin/virsh", RUN, RUN, 100, 5000, 5000, 10000, 30000);
    }
}
