package io.vmha.bench;

import io.vmha.core.port.Journal;
import io.vmha.migration.tunnel.BenchmarkRelays;
import io.vmha.migration.tunnel.Membership;
import io.vmha.migration.tunnel.MigrationTokens;
import io.vmha.migration.tunnel.TunnelClient;
import io.vmha.migration.tunnel.TunnelConfigException;
import io.vmha.migration.tunnel.TunnelServer;
import io.vmha.migration.tunnel.TunnelTls;
import io.vmha.pki.PoolPki;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code vmha bench tunnel}: one stream at a time, in one run, through (a) the TLS tunnel (TunnelClient to TunnelServer, a throwaway
 * pool CA and two host certificates), (b) the same Netty relay without TLS, and (c) Debian's stunnel as client and
 * server with the same certificates, TLS 1.3 and AES-GCM. Everything runs on this machine over loopback, so the load
 * (generator and sink) shares the cores with the relay under test; its CPU is reported apart. The JVM relays are
 * warmed up first; then each relay streams in {@value #ROUNDS} slices of seconds/{@value #ROUNDS}, in rotating order,
 * and the slices are summed.
 */
public final class TunnelBenchmark {
    public static final double MIN_TLS_OVER_PLAINTEXT = 0.9;
    public static final double MIN_TLS_OVER_STUNNEL = 1.5;
    public static final String CPU_COUNTED = "tls and plaintext: CPU time of the tunnel's event-loop threads (client and server, "
            + "vmha-tunnel-*, ThreadMXBean); stunnel: user+system time of both stunnel processes (/proc/PID/stat). "
            + "Not counted: the load generator and sink threads (load_cpu_seconds), the JVM's JIT and GC threads.";
    private static final String SOURCE = "bench-src";
    private static final String TARGET = "bench-dst";
    private static final Membership MEMBERS = Set.of(SOURCE, TARGET)::contains;
    private static final Journal QUIET = (source, message) -> { };
    private static final double WARMUP_SECONDS = 3.0;
    private static final int ROUNDS = 3;

    /** One relay's figures. */
    public record Relay(String name, long bytes, double seconds, double cpuSeconds, double loadCpuSeconds) {
        public double mbPerSecond() { return bytes / 1e6 / seconds; }

        static Relay sum(Relay a, Relay b) {
            return a == null ? b : new Relay(a.name, a.bytes + b.bytes, a.seconds + b.seconds, a.cpuSeconds + b.cpuSeconds,
                    a.loadCpuSeconds + b.loadCpuSeconds);
        }
        public double cpuSecondsPerGb() { return cpuSeconds / (bytes / 1e9); }

        Map<String, Object> json() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("mb_per_s", round(mbPerSecond()));
            out.put("cpu_seconds_per_gb", round(cpuSecondsPerGb()));
            out.put("bytes", bytes);
            out.put("seconds", round(seconds));
            out.put("cpu_seconds", round(cpuSeconds));
            out.put("load_cpu_seconds", round(loadCpuSeconds));
            return out;
        }
    }

    /** The whole run. */
    public record Report(double secondsPerRelay, String engine, String transport, String stunnel, Relay tls, Relay plaintext,
                         Relay stunnelRelay) {
        public double tlsOverPlaintext() { return tls.mbPerSecond() / plaintext.mbPerSecond(); }
        public double tlsOverStunnel() { return tls.mbPerSecond() / stunnelRelay.mbPerSecond(); }
        public boolean acceptanceMet() { return tlsOverPlaintext() >= MIN_TLS_OVER_PLAINTEXT && tlsOverStunnel() >= MIN_TLS_OVER_STUNNEL; }

        public Map<String, Object> json() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("seconds_per_relay", secondsPerRelay);
            out.put("warmup_seconds", WARMUP_SECONDS);
            out.put("rounds", ROUNDS);
            out.put("cores", Runtime.getRuntime().availableProcessors());
            out.put("engine", engine);
            out.put("transport", transport);
            out.put("stunnel", stunnel);
            Map<String, Object> relays = new LinkedHashMap<>();
            relays.put("tls", tls.json());
            relays.put("plaintext", plaintext.json());
            relays.put("stunnel", stunnelRelay.json());
            out.put("relays", relays);
            Map<String, Object> ratios = new LinkedHashMap<>();
            ratios.put("tls_over_plaintext", round(tlsOverPlaintext()));
            ratios.put("tls_over_stunnel", round(tlsOverStunnel()));
            out.put("ratios", ratios);
            Map<String, Object> acceptance = new LinkedHashMap<>();
            acceptance.put("tls_over_plaintext_min", MIN_TLS_OVER_PLAINTEXT);
            acceptance.put("tls_over_stunnel_min", MIN_TLS_OVER_STUNNEL);
            acceptance.put("met", acceptanceMet());
            out.put("acceptance", acceptance);
            out.put("cpu_counted", CPU_COUNTED);
            return out;
        }
    }

    private TunnelBenchmark() {}

    /** Runs the three relays for {@code seconds} each (after a short warm-up of the JVM ones); progress lines go to {@code progress}. */
    public static Report run(double seconds, Consumer<String> progress)
            throws IOException, InterruptedException, TunnelConfigException, io.vmha.pki.PkiException {
        Path stunnelBinary = StunnelPair.binary(); // fail before measuring anything if the comparison cannot run
        Path dir = Files.createTempDirectory("vmha-bench-tunnel-");
        try {
            Path pki = dir.resolve("pki");
            PoolPki pool = new PoolPki(pki);
            pool.init("bench", 1, Instant.now());
            pool.issue(SOURCE, 1, false, Instant.now());
            pool.issue(TARGET, 1, false, Instant.now());
            TunnelTls sourceTls = TunnelTls.load(pki, SOURCE);
            TunnelTls targetTls = TunnelTls.load(pki, TARGET);
            progress.accept("warming up the JVM relays (" + WARMUP_SECONDS + " s each: the JIT compiles the hot paths)");
            ours(sourceTls, targetTls, WARMUP_SECONDS);
            ours(null, null, WARMUP_SECONDS);
            // Rounds in rotating order, so that load from other processes on this shared machine falls on all three alike.
            Relay tls = null;
            Relay plaintext = null;
            Relay stunnel = null;
            double slice = seconds / ROUNDS;
            for (int round = 0; round < ROUNDS; round++) {
                for (int k = 0; k < 3; k++) {
                    int which = (round + k) % 3;
                    if (which == 0) {
                        tls = Relay.sum(tls, ours(sourceTls, targetTls, slice));
                    } else if (which == 1) {
                        plaintext = Relay.sum(plaintext, ours(null, null, slice));
                    } else {
                        stunnel = Relay.sum(stunnel, stunnel(stunnelBinary, dir, pki, slice));
                    }
                }
                progress.accept(String.format("round %d of %d: tls %.0f MB/s, plaintext %.0f MB/s, stunnel %.0f MB/s so far",
                        round + 1, ROUNDS, tls.mbPerSecond(), plaintext.mbPerSecond(), stunnel.mbPerSecond()));
            }
            return new Report(seconds, targetTls.engine(), transport(), version(stunnelBinary), tls, plaintext, stunnel);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The vmha relay: with TLS when both materials are given, else the plaintext benchmark relay. */
    private static Relay ours(TunnelTls sourceTls, TunnelTls targetTls, double seconds) throws IOException, InterruptedException {
        String id = "bench-" + System.nanoTime();
        String token = MigrationTokens.newToken();
        boolean tls = targetTls != null;
        try (StreamLoad load = new StreamLoad();
             TunnelServer server = tls ? new TunnelServer(targetTls, "127.0.0.1", 0, MEMBERS, QUIET) : BenchmarkRelays.plaintextServer(QUIET)) {
            server.start();
            server.expect(id, token, SOURCE, load.sinkPort());
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            try (TunnelClient client = tls ? TunnelClient.open(sourceTls, TARGET, address, id, token, MEMBERS)
                    : BenchmarkRelays.plaintextClient(address, id, token)) {
                Map<Long, Long> before = CpuMeter.threads("vmha-tunnel");
                StreamLoad.Measurement m = load.run(client.localPort(), seconds);
                Map<Long, Long> after = CpuMeter.threads("vmha-tunnel");
                if (client.failure().isPresent()) throw new IOException("the tunnel failed: " + client.failure().get());
                return new Relay(tls ? "tls" : "plaintext", m.bytes(), m.seconds(), CpuMeter.secondsBetween(before, after), m.loadCpuSeconds());
            }
        }
    }

    private static Relay stunnel(Path binary, Path dir, Path pki, double seconds) throws IOException, InterruptedException {
        try (StreamLoad load = new StreamLoad();
             StunnelPair pair = StunnelPair.start(binary, dir, pki, SOURCE, TARGET, load.sinkPort())) {
            double before = CpuMeter.processes(pair.pids());
            StreamLoad.Measurement m = load.run(pair.entryPort(), seconds);
            double after = CpuMeter.processes(pair.pids());
            return new Relay("stunnel", m.bytes(), m.seconds(), after - before, m.loadCpuSeconds());
        }
    }

    private static String transport() {
        return io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio";
    }

    private static String version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "-version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().filter(l -> l.startsWith("stunnel ")).findFirst().orElse(binary.toString()).strip();
        } catch (IOException e) {
            return binary.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return binary.toString();
        }
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
