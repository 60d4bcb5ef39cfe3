package io.vmha.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Signals to single processes or whole process groups with kill(1), and process-group listing from /proc. */
final class Signals {
    private Signals() {}

    /** {@code kill -SIG -- -pgid}: every process of the group (setsid made the leader's pid the group id). */
    static void group(long pgid, String signal) throws IOException, InterruptedException {
        kill("-" + signal, "--", "-" + pgid);
    }

    /** {@code kill -SIG pid}: that one process only. */
    static void process(long pid, String signal) throws IOException, InterruptedException {
        kill("-" + signal, Long.toString(pid));
    }

    private static void kill(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("kill");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
    }

    /** One live process: pid and its argv. */
    record Proc(long pid, List<String> argv) {
        String cmdline() { return String.join(" ", argv); }
    }

    /** Every process whose process group is {@code pgid}, from /proc. */
    static List<Proc> inGroup(long pgid) {
        List<Proc> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path p : procs) {
                try {
                    String stat = Files.readString(p.resolve("stat"), StandardCharsets.UTF_8);
                    // pid (comm) state ppid pgrp ...; comm may hold spaces, so parse after the last ')'
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[2]) != pgid) continue;
                    byte[] raw = Files.readAllBytes(p.resolve("cmdline"));
                    List<String> argv = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
                    found.add(new Proc(Long.parseLong(p.getFileName().toString()), argv));
                } catch (IOException | RuntimeException gone) {
                    // exited while we looked
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }
}
