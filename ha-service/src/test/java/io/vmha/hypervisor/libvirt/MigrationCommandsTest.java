package io.vmha.hypervisor.libvirt;

import io.vmha.core.InvalidInputException;
import io.vmha.core.port.MigrationOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationCommandsTest {
    @Test
    void sourceMigrateSendsToTheLoopbackPortAndLeavesTheTargetPaused() {
        assertEquals(List.of("migrate", "--live", "--suspend", "--persistent", "--undefinesource", "vm1",
                        "qemu+unix:///system?socket=/tmp/h2/libvirt-sock", "--migrateuri", "tcp://127.0.0.1:4444",
                        "--listen-address", "127.0.0.1"),
                MigrationCommands.migrate("vm1", "qemu+unix:///system?socket=/tmp/h2/libvirt-sock", 4444, MigrationOptions.DEFAULT));
        List<String> capped = MigrationCommands.migrate("vm1", "qemu+tls://h2/system", 4444, new MigrationOptions(100 * 1024 * 1024, 0));
        assertEquals(List.of("--bandwidth", "100"), capped.subList(capped.size() - 2, capped.size()));
        assertTrue(!capped.contains("--p2p") && !capped.contains("--tunnelled"), "the data goes to the vmha tunnel, not libvirtd's");
    }

    @Test
    void bandwidthIsRoundedUpToWholeMiB() {
        assertEquals(0, MigrationCommands.bandwidthMiB(0));
        assertEquals(1, MigrationCommands.bandwidthMiB(64 * 1024), "a small cap stays a cap");
        assertEquals(1, MigrationCommands.bandwidthMiB(1024 * 1024));
        assertEquals(2, MigrationCommands.bandwidthMiB(1024 * 1024 + 1));
    }

    @Test
    void downtimeProgressCancelActivate() {
        assertEquals(List.of(), MigrationCommands.maxDowntime("vm1", MigrationOptions.DEFAULT));
        assertEquals(List.of("migrate-setmaxdowntime", "vm1", "150"), MigrationCommands.maxDowntime("vm1", new MigrationOptions(0, 150)));
        assertEquals(List.of("domjobinfo", "vm1"), MigrationCommands.progress("vm1"));
        assertEquals(List.of("domjobabort", "vm1"), MigrationCommands.cancel("vm1"));
        assertEquals(List.of("resume", "vm1"), MigrationCommands.activate("vm1"));
    }

    @Test
    void badInputIsNamed() {
        InvalidInputException port = assertThrows(InvalidInputException.class,
                () -> MigrationCommands.migrate("vm1", "qemu+tls://h2/system", 0, MigrationOptions.DEFAULT));
        assertTrue(port.getMessage().contains("migration.port"), port.getMessage());
        InvalidInputException uri = assertThrows(InvalidInputException.class,
                () -> MigrationCommands.migrate("vm1", "qemu+tls://h2/system --unsafe", 4444, MigrationOptions.DEFAULT));
        assertTrue(uri.getMessage().contains("migration.destination-uri"), uri.getMessage());
    }

    @Test
    void theDriverOffersNoLiveMigration() {
        // Not until the port can be honoured (see the package documentation): a move is a stop and a cold start.
        assertTrue(java.util.Arrays.stream(LibvirtHypervisor.class.getDeclaredMethods()).noneMatch(m -> m.getName().equals("migration")));
    }
}
