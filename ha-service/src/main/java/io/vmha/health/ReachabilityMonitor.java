package io.vmha.health;

import io.vmha.core.HealthReading;
import io.vmha.core.port.Clock;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Whether this host reaches an address, by {@link InetAddress#isReachable(int)}: as root (the daemon's user) the JDK
 * sends a real ICMP echo request on a raw socket, with no child process per probe and no dependency on iputils
 * {@code ping} (absent from minimal hosts); without the privilege it falls back to a TCP connect to port 7, where a
 * refused connection still proves the host answers. A name is resolved on every probe, on the probe's thread.
 * Blocks up to the timeout: run it off the decision thread.
 */
public final class ReachabilityMonitor {
    private final String address;
    private final int timeoutMillis;
    private final Clock clock;

    public ReachabilityMonitor(String address, long timeoutMillis, Clock clock) {
        this.address = address;
        this.timeoutMillis = (int) timeoutMillis;
        this.clock = clock;
    }

    public String address() { return address; }

    /** One probe; the reading is stamped when it completes. Never throws. */
    public HealthReading.Reachable probe() {
        long start = clock.monotonicMillis();
        boolean ok;
        String detail;
        try {
            ok = InetAddress.getByName(address).isReachable(timeoutMillis);
            long took = clock.monotonicMillis() - start;
            detail = ok ? "echo reply in " + took + " ms" : "no reply within " + timeoutMillis + " ms";
        } catch (UnknownHostException e) {
            ok = false;
            detail = "cannot resolve " + address + ": " + e.getMessage();
        } catch (IOException e) {
            ok = false;
            detail = "probe failed: " + e.getMessage(); // e.g. "Network is unreachable": no route at all
        }
        return new HealthReading.Reachable(address, ok, detail, clock.monotonicMillis());
    }
}
