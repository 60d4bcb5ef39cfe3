package io.vmha.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A real 3-server ZooKeeper ensemble, each server a separate JVM ({@code QuorumPeerMain zoo.cfg} from the
 * packaged vmha.jar) in its own process group, so the harness can SIGKILL any of them and start it again
 * on the same ports and data directory.
 */
final class ZkEnsemble implements AutoCloseable {
    static final int SIZE = 3;

    private final Path dir;
    private final Path jar;
    private final int[] clientPorts = new int[SIZE];
    private final Process[] servers = new Process[SIZE];

    ZkEnsemble(Path dir, Path jar) throws IOException {
        this.dir = dir;
        this.jar = jar;
        int[] ports = freePorts(3 * SIZE);
        StringJoiner members = new StringJoiner("\n");
        for (int i = 0; i < SIZE; i++) {
            clientPorts[i] = ports[3 * i];
            members.add("server." + (i + 1) + "=127.0.0.1:" + ports[3 * i + 1] + ":" + ports[3 * i + 2]);
        }
        for (int i = 0; i < SIZE; i++) {
            Path serverDir = serverDir(i);
            Files.createDirectories(serverDir.resolve("data"));
            Files.writeString(serverDir.resolve("data/myid"), (i + 1) + "\n");
            Files.writeString(serverDir.resolve("zoo.cfg"), String.join("\n",
                    "tickTime=200",
                    "initLimit=50", // 10 s for a follower to sync with a new leader
                    "syncLimit=10", // 2 s out of contact and a follower is dropped
                    "dataDir=" + serverDir.resolve("data"),
                    "clientPort=" + clientPorts[i],
                    "clientPortAddress=127.0.0.1",
                    "minSessionTimeout=1000",
                    "maxSessionTimeout=60000",
                    "admin.enableServer=false",
                    "4lw.commands.whitelist=srvr,ruok,stat,mntr",
                    "autopurge.purgeInterval=1",
                    members.toString(),
                    ""));
        }
    }

    private Path serverDir(int i) { return dir.resolve("zk" + (i + 1)); }

    /** Start all servers and wait until every one of them serves as leader or follower. */
    void start() throws Exception {
        for (int i = 0; i < SIZE; i++) startServer(i);
        if (!awaitServing(SIZE, 60_000)) throw new IllegalStateException("ensemble did not form within 60 s: " + modes());
    }

    void startServer(int i) throws IOException {
        if (servers[i] != null && servers[i].isAlive()) return;
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = serverDir(i).resolve("server.log");
        servers[i] = new ProcessBuilder("setsid", java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xss512k", "-Dzookeeper.jmx.log4j.disable=true", "-cp", jar.toString(),
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", serverDir(i).resolve("zoo.cfg").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** SIGKILL of server {@code i} (its whole process group). */
    void kill(int i) throws Exception {
        Process p = servers[i];
        if (p == null) return;
        Signals.group(p.pid(), "KILL");
        p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    boolean alive(int i) { return servers[i] != null && servers[i].isAlive(); }

    String connectString() {
        StringJoiner s = new StringJoiner(",");
        for (int port : clientPorts) s.add("127.0.0.1:" + port);
        return s.toString();
    }

    InetSocketAddress address(int i) { return new InetSocketAddress("127.0.0.1", clientPorts[i]); }

    String name(int i) { return "zk" + (i + 1); }

    /** "leader", "follower", or "" when the server does not serve (down, or no quorum). */
    String mode(int i) {
        try (Socket s = new Socket()) {
            s.connect(address(i), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.startsWith("Mode: ")) return line.substring(6).trim();
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    String modes() {
        List<String> m = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) m.add(name(i) + "=" + (mode(i).isEmpty() ? "down" : mode(i)));
        return String.join(" ", m);
    }

    /** Index of the current leader, or -1. */
    int leader() {
        for (int i = 0; i < SIZE; i++) if (mode(i).equals("leader")) return i;
        return -1;
    }

    /** Wait until at least {@code count} servers serve, one of them the leader. */
    boolean awaitServing(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            int serving = 0;
            boolean leader = false;
            for (int i = 0; i < SIZE; i++) {
                String m = mode(i);
                if (m.equals("leader")) leader = true;
                if (m.equals("leader") || m.equals("follower")) serving++;
            }
            if (leader && serving >= count) return true;
            Thread.sleep(100);
        }
        return false;
    }

    @Override public void close() {
        for (int i = 0; i < SIZE; i++) {
            try {
                kill(i);
            } catch (Exception e) {
                // best effort; the script's leftover check reports anything that survived
            }
        }
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        Set<Integer> seen = new HashSet<>();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                if (!seen.add(s.getLocalPort())) { i--; continue; }
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) s.close();
        }
        return ports;
    }
}
