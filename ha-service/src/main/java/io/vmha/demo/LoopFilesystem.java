package io.vmha.demo;

import io.vmha.core.InvalidInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small ext4 filesystem in a file, loop-mounted, that can be frozen with fsfreeze: writes to it then
 * block in the kernel, exactly like stalled shared storage. Needs root and util-linux/e2fsprogs.
 */
final class LoopFilesystem implements AutoCloseable {
    static final String NEEDS = "root, with mount, fsfreeze (util-linux) and mkfs.ext4 (e2fsprogs): the stall is a real frozen filesystem";

    private final Path image;
    private final Path mountPoint;
    private boolean mounted;
    private boolean frozen;

    LoopFilesystem(Path image, Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    /** Refuse early, naming what is missing, rather than fail half-way through a run. */
    static void checkAvailable() {
        if (!"root".equals(System.getProperty("user.name"))) throw new InvalidInputException("--scenario", "disk-stall", NEEDS);
        for (String tool : List.of("mount", "umount", "fsfreeze", "mkfs.ext4")) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
                found |= Files.isExecutable(Path.of(dir, tool));
            }
            if (!found) throw new InvalidInputException("--scenario", "disk-stall", NEEDS + " (" + tool + " not found)");
        }
    }

    Path mount() throws IOException, InterruptedException {
        try (var f = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0);
            f.write(java.nio.ByteBuffer.allocate(1), 32L * 1024 * 1024 - 1); // 32 MiB, sparse
        }
        Files.createDirectories(mountPoint);
        run("mkfs.ext4", "-q", "-F", image.toString());
        run("mount", "-o", "loop", image.toString(), mountPoint.toString());
        mounted = true;
        return mountPoint;
    }

    void freeze(boolean freeze) throws IOException, InterruptedException {
        if (freeze == frozen) return;
        run("fsfreeze", freeze ? "-f" : "-u", mountPoint.toString());
        frozen = freeze;
    }

    @Override public void close() {
        try {
            if (frozen) freeze(false);
            if (mounted) run("umount", "-l", mountPoint.toString());
            mounted = false;
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            System.err.println("could not unmount " + mountPoint + ": " + e.getMessage());
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish in 30 s");
        }
        String output = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + output.trim());
    }
}
