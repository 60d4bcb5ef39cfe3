package io.vmha.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay between one host and its ZooKeeper server that the demo (and chaos tests) can
 * cut: {@link #partition()} blackholes the traffic — bytes are read and dropped, connections stay open,
 * new ones are accepted but never answered — like a switch port going dead, so the host only learns of it
 * from its own timeouts. {@link #heal()} closes the blackholed connections and relays again.
 * One thread per direction per connection: a handful of connections per host.
 */
public final class TcpProxy implements AutoCloseable {
    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean partitioned;
    private volatile boolean closed;

    public TcpProxy(String name, InetSocketAddress target) throws IOException {
        this.name = name;
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() { return server.getLocalPort(); }

    public String address() { return "127.0.0.1:" + port(); }

    public boolean partitioned() { return partitioned; }

    /** Start dropping every byte both ways, silently. */
    public void partition() { partitioned = true; }

    /** Close what was blackholed (the peers' TCP state is stale) and relay again. */
    public void heal() {
        if (!partitioned) return;
        closeAll();
        partitioned = false;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                if (partitioned) {
                    pump(client.getInputStream(), OutputStream.nullOutputStream(), client, null);
                    continue;
                }
                Socket upstream = new Socket();
                upstream.connect(target, 2000);
                sockets.add(upstream);
                pump(client.getInputStream(), upstream.getOutputStream(), client, upstream);
                pump(upstream.getInputStream(), client.getOutputStream(), upstream, client);
            } catch (IOException e) {
                if (closed) return; // accept() fails once closed; an upstream failure just drops that client
            }
        }
    }

    /** Copy {@code in} to {@code out} until either side closes; while partitioned, read and discard. */
    private void pump(InputStream in, OutputStream out, Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!partitioned) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException ended) {
                // either side closed: close both below
            } finally {
                quietClose(from);
                if (to != null) quietClose(to);
            }
        }, "tcp-proxy-" + name + "-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeAll() {
        for (Socket s : sockets) quietClose(s);
        sockets.clear();
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override public void close() {
        closed = true;
        quietClose(server);
        closeAll();
    }

    private static void quietClose(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
