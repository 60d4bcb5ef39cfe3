package io.vmha.health;

import io.vmha.core.HealthReading;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A NIC's link as the kernel reports it in sysfs: {@code /sys/class/net/NAME/operstate} and {@code carrier}. Up means
 * operstate "up", or "unknown" with carrier 1 (drivers without operstate support, e.g. some virtual NICs). A NIC
 * that does not exist is down, and says so. Reads two small files: cheap enough for every half second.
 */
public final class NicLinkMonitor {
    public static final Path SYSFS = Path.of("/sys/class/net");

    private final String nic;
    private final Path dir;

    public NicLinkMonitor(String nic) { this(SYSFS, nic); }

    /** @param sysfs the {@code /sys/class/net} directory (a test points it at a fake one) */
    public NicLinkMonitor(Path sysfs, String nic) {
        this.nic = nic;
        this.dir = sysfs.resolve(nic);
    }

    public String nic() { return nic; }

    /** One reading, stamped {@code nowMillis} (monotonic); never throws. */
    public HealthReading.NicLink read(long nowMillis) {
        if (!Files.isDirectory(dir)) {
            return new HealthReading.NicLink(nic, false, "no such NIC (" + dir + " does not exist)", nowMillis);
        }
        String operstate = read("operstate");
        // The kernel refuses to read carrier (EINVAL) while the interface is administratively down.
        String carrier = read("carrier");
        boolean up = operstate.equals("up") || (operstate.equals("unknown") && carrier.equals("1"));
        return new HealthReading.NicLink(nic, up, "operstate " + operstate + ", carrier " + carrier, nowMillis);
    }

    private String read(String file) {
        try {
            return Files.readString(dir.resolve(file), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return "(missing)";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
