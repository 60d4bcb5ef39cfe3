package io.vmha.hypervisor.libvirt;

import io.vmha.core.InvalidInputException;
import io.vmha.core.port.MigrationOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * The virsh commands a libvirt live migration through the vmha tunnel would run. NOT wired: the libvirt driver's
 * {@code migration()} is empty (see the package documentation for why the port cannot be honoured by
 * {@code virsh migrate} as it stands). Kept, tested, so the mapping is on record:
 * <ul>
 * <li>source: {@code migrate --live --suspend --persistent --undefinesource DOM DESTURI --migrateuri
 *     tcp://127.0.0.1:PORT --listen-address 127.0.0.1 [--bandwidth MiB/s]}, client-driven (not {@code --p2p}, not
 *     {@code --tunnelled}: the data stream goes from the source qemu to PORT, the vmha tunnel's local end; libvirt
 *     carries only control traffic). {@code --suspend} (VIR_MIGRATE_PAUSED) leaves the destination paused, which is
 *     the target safety rule; {@code --listen-address} keeps the destination qemu on its loopback.</li>
 * <li>then {@code migrate-setmaxdowntime DOM MS} while the job runs; progress from {@code domjobinfo DOM};
 *     cancel with {@code domjobabort DOM};</li>
 * <li>target: activate is {@code resume DOM}, discard is {@code destroy DOM} then {@code undefine DOM}.</li>
 * </ul>
 */
final class MigrationCommands {
    private static final long MIB = 1024 * 1024;

    private MigrationCommands() {}

    /** The source's {@code virsh migrate} arguments (after {@code virsh -c SOURCE-URI}). */
    static List<String> migrate(String domain, String destinationUri, int port, MigrationOptions options) {
        if (port < 1 || port > 65535) throw new InvalidInputException("migration.port", port, "1 to 65535");
        if (destinationUri == null || destinationUri.isBlank() || destinationUri.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidInputException("migration.destination-uri", destinationUri, "a libvirt URI, e.g. qemu+tls://h2/system");
        }
        List<String> a = new ArrayList<>(List.of("migrate", "--live", "--suspend", "--persistent", "--undefinesource",
                domain, destinationUri, "--migrateuri", "tcp://127.0.0.1:" + port, "--listen-address", "127.0.0.1"));
        long mibPerSecond = bandwidthMiB(options.bandwidthBytesPerSecond());
        if (mibPerSecond > 0) a.addAll(List.of("--bandwidth", Long.toString(mibPerSecond)));
        return a;
    }

    /** libvirt takes whole MiB/s: a cap is rounded up (never to 0, which would mean no cap); 0 stays "no cap". */
    static long bandwidthMiB(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? 0 : (bytesPerSecond + MIB - 1) / MIB;
    }

    /** Empty when the option leaves libvirt's default. */
    static List<String> maxDowntime(String domain, MigrationOptions options) {
        return options.maxDowntimeMillis() <= 0 ? List.of()
                : List.of("migrate-setmaxdowntime", domain, Long.toString(options.maxDowntimeMillis()));
    }

    static List<String> progress(String domain) {
        return List.of("domjobinfo", domain);
    }

    static List<String> cancel(String domain) {
        return List.of("domjobabort", domain);
    }

    static List<String> activate(String domain) {
        return List.of("resume", domain);
    }
}
