package io.vmha.system.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmha.demo.JarRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A running {@code ./vmha demo} (the packaged jar) with its endpoints file; closing it stops every process. */
final class LiveDemo implements AutoCloseable {
    final Path dir;
    final JsonNode endpoints;
    final JsonNode credentials;
    private final Process process;

    private LiveDemo(Path dir, Process process, JsonNode endpoints, JsonNode credentials) {
        this.dir = dir;
        this.process = process;
        this.endpoints = endpoints;
        this.credentials = credentials;
    }

    static LiveDemo start(Path tmp, int vms) throws Exception {
        Path dir = tmp.resolve("pool");
        Path file = tmp.resolve("endpoints.json");
        Path out = tmp.resolve("demo.out");
        Process p = JarRunner.builder("demo", "--dir", dir.toString(), "--endpoints", file.toString(), "--vms",
                String.valueOf(vms), "--timeout", "300").redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!Files.exists(file) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(200);
            if (!Files.exists(file)) throw new AssertionError("demo never wrote its endpoints:\n" + Files.readString(out));
            ObjectMapper json = new ObjectMapper();
            JsonNode e = json.readTree(file.toFile());
            JsonNode c = json.readTree(Path.of(e.get("jolokia_credentials").asText()).toFile());
            return new LiveDemo(dir, p, e, c);
        } catch (Exception | AssertionError e) {
            stop(p);
            throw e;
        }
    }

    List<String> prometheusUrls() {
        List<String> out = new ArrayList<>();
        for (JsonNode h : endpoints.get("hosts")) out.add(h.get("prometheus").asText());
        return out;
    }

    String jolokia(int host) { return endpoints.get("hosts").get(host).get("jolokia").asText(); }

    long pid(int host) { return endpoints.get("hosts").get(host).get("pid").asLong(); }

    String user(String role) { return credentials.get(role).get("user").asText(); }

    String password(String role) { return credentials.get(role).get("password").asText(); }

    @Override public void close() throws Exception { stop(process); }

    private static void stop(Process p) throws Exception {
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
