package io.vmha.system.tunnel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmha.system.guest.QmpTestClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A bare 64 MiB TCG qemu with a marker file loaded into guest RAM at 32 MiB (the loader device), as a migration
 * source, or as a target waiting on {@code -incoming tcp:127.0.0.1:PORT}. Closing kills it.
 */
final class MigratingQemu implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    final QmpTestClient qmp;

    private MigratingQemu(Process process, Path log, QmpTestClient qmp) {
        this.process = process;
        this.log = log;
        this.qmp = qmp;
    }

    /** {@code incomingPort} 0: a running source; else a target listening for the migration on that loopback port. */
    static MigratingQemu start(Path qemu, Path dir, String name, Path marker, int incomingPort) throws Exception {
        Path socket = dir.resolve(name + ".qmp");
        Path log = dir.resolve(name + ".log");
        List<String> argv = new ArrayList<>(List.of(qemu.toString(), "-name", "vmha-tunnel-it-" + name,
                "-machine", "pc,accel=tcg", "-m", "64", "-nodefaults", "-display", "none",
                "-qmp", "unix:" + socket + ",server=on,wait=off",
                "-device", "loader,file=" + marker + ",addr=0x2000000"));
        if (incomingPort > 0) argv.addAll(List.of("-incoming", "tcp:127.0.0.1:" + incomingPort));
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        try {
            return new MigratingQemu(process, log, QmpTestClient.connect(socket, QMP_TIMEOUT));
        } catch (Exception e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IOException("qemu " + name + " did not start: " + Files.readString(log), e);
        }
    }

    /** Migrates to {@code tcp:127.0.0.1:port} and waits for the end; returns query-migrate's final status. */
    String migrateTo(int port) throws Exception {
        qmp.execute("migrate", JSON.createObjectNode().put("uri", "tcp:127.0.0.1:" + port), QMP_TIMEOUT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            JsonNode info = qmp.execute("query-migrate", null, QMP_TIMEOUT);
            String status = info.path("status").asText();
            if (status.equals("completed") || status.equals("failed") || status.equals("cancelled")) {
                return status + (info.has("error-desc") ? ": " + info.get("error-desc").asText() : "");
            }
            Thread.sleep(100);
        }
        return "timeout";
    }

    String status() throws Exception {
        return qmp.status(QMP_TIMEOUT);
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override public void close() throws Exception {
        try {
            qmp.close();
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
