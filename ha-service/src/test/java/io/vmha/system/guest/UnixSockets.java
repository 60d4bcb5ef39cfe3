package io.vmha.system.guest;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Connecting to a Unix socket that a just-started qemu may not have created yet. */
final class UnixSockets {
    private UnixSockets() {}

    /** A blocking channel connected to {@code socket}, retried every 20 ms for up to {@code timeout}. */
    static SocketChannel connect(Path socket, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                return channel;
            } catch (IOException e) {
                channel.close();
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("cannot connect to " + socket + " within " + timeout
                            + (Files.exists(socket) ? "" : " (it does not exist)"), e);
                }
                Thread.sleep(20);
            }
        }
    }
}
