package io.vmha.demo;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TcpProxyTest {
    /** An echo server on loopback, one thread per connection. */
    private static ServerSocket echo() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // peer went away
                        }
                    }).start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    private static int roundTrip(Socket s, int value) throws IOException {
        s.getOutputStream().write(value);
        s.getOutputStream().flush();
        return s.getInputStream().read();
    }

    @Test void relaysThenBlackholesThenRelaysAgain() throws Exception {
        try (ServerSocket server = echo();
             TcpProxy proxy = new TcpProxy("t", new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
             Socket before = new Socket("127.0.0.1", proxy.port())) {
            before.setSoTimeout(1000);
            assertEquals(7, roundTrip(before, 7));

            proxy.partition();
            before.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> roundTrip(before, 8), "bytes must be dropped silently");
            try (Socket during = new Socket("127.0.0.1", proxy.port())) { // accepted, never answered
                during.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> roundTrip(during, 9));
            }

            proxy.heal();
            try (Socket after = new Socket("127.0.0.1", proxy.port())) {
                after.setSoTimeout(1000);
                assertEquals(10, roundTrip(after, 10));
            }
        }
    }
}
