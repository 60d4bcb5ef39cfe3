package io.vmha.system.tunnel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP proxy for one connection that keeps every byte sent from the connecting side to the far side: the "wire" of
 * a migration, captured where an eavesdropper on the network would see it.
 */
final class CapturingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int farPort;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final Thread acceptor;
    private volatile Socket near;
    private volatile Socket far;

    CapturingProxy(int farPort) throws IOException {
        this.farPort = farPort;
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::serve, "capturing-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** What went from the connecting side to the far side so far. */
    byte[] captured() {
        synchronized (captured) {
            return captured.toByteArray();
        }
    }

    private void serve() {
        try {
            near = listener.accept();
            far = new Socket(InetAddress.getLoopbackAddress(), farPort);
            Thread back = new Thread(() -> copy(far, near, null), "capturing-proxy-back");
            back.setDaemon(true);
            back.start();
            copy(near, far, captured);
            back.join(30_000);
        } catch (IOException | InterruptedException e) {
            // closed by the test
        } finally {
            closeQuietly(near);
            closeQuietly(far);
        }
    }

    private static void copy(Socket from, Socket to, ByteArrayOutputStream capture) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (capture != null) {
                    synchronized (capture) {
                        capture.write(buffer, 0, n);
                    }
                }
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            if (socket != null) socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override public void close() throws Exception {
        listener.close();
        closeQuietly(near);
        closeQuietly(far);
        acceptor.join(10_000);
    }
}
