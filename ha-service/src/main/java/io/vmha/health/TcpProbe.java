package io.vmha.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** Passes when a TCP connection to {@code HOST:PORT} is accepted within the timeout; then closes it at once. */
public final class TcpProbe implements ProbeCheck {
    private final String host;
    private final int port;
    private final int timeoutMillis;

    public TcpProbe(String hostPort, long timeoutMillis) {
        int colon = hostPort.lastIndexOf(':');
        String h = hostPort.substring(0, colon);
        this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        this.port = Integer.parseInt(hostPort.substring(colon + 1));
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
    }

    @Override public ProbeOutcome run() {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            // Resolution happens here too: a name that stops resolving is a failure, not a crash.
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            return ProbeOutcome.of(ProbeOutcome.Status.PASS, start, "connected to " + host + ":" + port);
        } catch (SocketTimeoutException e) {
            return ProbeOutcome.of(ProbeOutcome.Status.TIMEOUT, start, "connect to " + host + ":" + port
                    + " timed out after " + timeoutMillis + " ms");
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            return ProbeOutcome.of(ProbeOutcome.Status.FAIL, start, "connect to " + host + ":" + port + ": " + e.getMessage());
        }
    }
}
