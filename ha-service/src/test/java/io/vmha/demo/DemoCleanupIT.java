package io.vmha.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ctrl-C on an interactive demo stops the pool and leaves no process behind. */
class DemoCleanupIT {
    @TempDir Path tmp;

    @Test void interruptLeavesNoChildProcesses() throws Exception {
        Path dir = tmp.resolve("pool");
        Path endpoints = tmp.resolve("endpoints.json");
        Path out = tmp.resolve("demo.out");
        Process demo = JarRunner.builder("demo", "--dir", dir.toString(), "--endpoints", endpoints.toString(),
                "--vms", "4").redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.exists(endpoints) && demo.isAlive() && System.nanoTime() < deadline) Thread.sleep(200);
            assertTrue(Files.exists(endpoints), "demo never wrote its endpoints:\n" + Files.readString(out));
            JsonNode e = new ObjectMapper().readTree(endpoints.toFile());
            assertEquals(3, e.get("hosts").size());
            assertTrue(e.get("zookeeper").asText().matches("[\\w.]+:\\d+"), e.toString());
            assertTrue(processesMentioning(dir).size() >= 3 + 4, "hosts and VMs should be running: " + processesMentioning(dir));
            String printed = Files.readString(out);
            assertTrue(printed.contains("Where to look") && printed.contains("hosts 3/3 active"), printed);

            new ProcessBuilder("kill", "-INT", String.valueOf(demo.pid())).start().waitFor();
            assertTrue(demo.waitFor(30, TimeUnit.SECONDS), "demo did not exit on SIGINT");
            long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!processesMentioning(dir).isEmpty() && System.nanoTime() < gone) Thread.sleep(100);
            assertEquals(List.of(), processesMentioning(dir), "processes left behind after Ctrl-C");
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }

    /** Every live process whose command line names the demo directory (agents' configs, VMs' disks). */
    static List<String> processesMentioning(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().matches("\\d+")) continue;
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmd.contains(dir.toString())) found.add(p.getFileName() + ": " + cmd.trim());
                } catch (IOException vanished) {
                    // the process ended while we looked
                }
            }
        }
        return found;
    }
}
