package io.vmha.cli;

import io.vmha.bench.TunnelBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code vmha bench tunnel}: throughput and CPU cost of the migration tunnel, against plaintext and stunnel. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks on this machine.",
        subcommands = {BenchCommand.Tunnel.class})
final class BenchCommand {
    @Command(name = "tunnel", mixinStandardHelpOptions = true,
            description = {"One stream of random bytes through (a) the TLS migration tunnel, (b) the same relay without TLS and "
                    + "(c) stunnel (Debian package stunnel4) with the same certificates, TLS 1.3 and AES-GCM; all over loopback.",
                    "Prints MB/s (10^6 bytes) and CPU seconds per GB for each, and the ratios TLS/plaintext and TLS/stunnel.",
                    "CPU counted: " + TunnelBenchmark.CPU_COUNTED,
                    "Exit 0 when the run completed (with --check: only if TLS/plaintext >= 0.9 and TLS/stunnel >= 1.5), "
                            + "1 if it could not run (e.g. stunnel missing)."})
    static final class Tunnel implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "10", paramLabel = "N",
                description = "Seconds of streaming per relay (default: ${DEFAULT-VALUE}).") int seconds;
        @Option(names = "--json", description = "Print JSON.") boolean json;
        @Option(names = "--check", description = "Exit 1 unless the acceptance ratios are met.") boolean check;

        @Override public Integer call() throws Exception {
            if (seconds < 1 || seconds > 3600) throw new io.vmha.core.InvalidInputException("--seconds", seconds, "1 to 3600");
            TunnelBenchmark.Report report;
            try {
                report = TunnelBenchmark.run(seconds, line -> System.err.println("bench: " + line));
            } catch (java.io.IOException | io.vmha.pki.PkiException | io.vmha.migration.tunnel.TunnelConfigException e) {
                System.err.println("vmha: bench tunnel failed: " + e.getMessage());
                return Main.FAILED;
            }
            System.out.print(json ? Json.write(report.json()) + "\n" : render(report));
            return check && !report.acceptanceMet() ? Main.FAILED : 0;
        }
    }

    static String render(TunnelBenchmark.Report r) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("vmha bench tunnel: one stream, %.0f s per relay, %d cores, engine %s, transport %s, %s%n%n",
                r.secondsPerRelay(), Runtime.getRuntime().availableProcessors(), r.engine(), r.transport(), r.stunnel()));
        out.append(String.format("%-10s %10s %12s %12s %14s%n", "RELAY", "MB/s", "CPU s/GB", "CPU s", "LOAD CPU s"));
        for (TunnelBenchmark.Relay relay : new TunnelBenchmark.Relay[] {r.tls(), r.plaintext(), r.stunnelRelay()}) {
            out.append(String.format("%-10s %10.0f %12.3f %12.2f %14.2f%n", relay.name(), relay.mbPerSecond(), relay.cpuSecondsPerGb(),
                    relay.cpuSeconds(), relay.loadCpuSeconds()));
        }
        out.append(String.format("%nTLS/plaintext %.3f (acceptance >= %.1f: %s)%n", r.tlsOverPlaintext(), TunnelBenchmark.MIN_TLS_OVER_PLAINTEXT,
                r.tlsOverPlaintext() >= TunnelBenchmark.MIN_TLS_OVER_PLAINTEXT ? "met" : "NOT met"));
        out.append(String.format("TLS/stunnel   %.3f (acceptance >= %.1f: %s)%n", r.tlsOverStunnel(), TunnelBenchmark.MIN_TLS_OVER_STUNNEL,
                r.tlsOverStunnel() >= TunnelBenchmark.MIN_TLS_OVER_STUNNEL ? "met" : "NOT met"));
        out.append("CPU counted: ").append(TunnelBenchmark.CPU_COUNTED).append('\n');
        return out.toString();
    }
}
