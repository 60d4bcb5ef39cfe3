package io.vmha.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shared heartbeat device of the chaos pools, optional: a file formatted by
 * {@code vmha heartbeat init} when the packaged CLI has that command. When this process runs as root and
 * loop devices, ext4 and fsfreeze work, the files live on a loop-mounted ext4 image so that a
 * heartbeat stall can be injected for real ({@code fsfreeze -f}); otherwise they are plain files and the
 * stall fault is skipped with the reason.
 */
final class HeartbeatDevice implements AutoCloseable {
    private final Path jar;
    private final Path dir;
    private final Path image;
    private final Path mount;
    private final boolean freezable;
    private final String freezeUnavailable;
    private volatile boolean frozen;
    private boolean mounted;

    private HeartbeatDevice(Path jar, Path dir, Path image, Path mount, boolean mounted, String freezeUnavailable) {
        this.jar = jar;
        this.dir = mounted ? mount : dir;
        this.image = image;
        this.mount = mount;
        this.mounted = mounted;
        this.freezable = mounted;
        this.freezeUnavailable = freezeUnavailable;
    }

    /** Why the CLI cannot format a heartbeat device, or null when {@code vmha heartbeat init} exists. */
    static String initUnavailable(Path jar) throws IOException, InterruptedException {
        Result r = run(60, javaJar(jar, "heartbeat", "init", "--help"));
        // An unknown subcommand can still exit 0 (the root's --help): the usage must be init's own.
        boolean present = r.exit == 0 && r.output.contains("--device") && r.output.contains("--slots");
        return present ? null : "'vmha heartbeat init' is not in " + jar.getFileName() + " (no such command)";
    }

    /** Prepare the directory the heartbeat files go to, on a freezable loop-mounted ext4 if possible. */
    static HeartbeatDevice create(Path jar, Path baseDir) throws IOException, InterruptedException {
        Path dir = baseDir.resolve("heartbeat");
        Files.createDirectories(dir);
        Path image = baseDir.resolve("heartbeat.ext4");
        Path mount = baseDir.resolve("heartbeat-mnt");
        String why = freezeUnavailable(image, mount);
        return new HeartbeatDevice(jar, dir, image, mount, why == null, why);
    }

    private static String freezeUnavailable(Path image, Path mount) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) return "not running as root (fsfreeze and mount need it)";
        for (String tool : List.of("fsfreeze", "losetup", "mount", "umount", "mkfs.ext4")) {
            if (run(10, List.of("sh", "-c", "command -v " + tool)).exit != 0) return tool + " is not installed";
        }
        Files.deleteIfExists(image);
        Files.createDirectories(mount);
        Result r = run(30, List.of("truncate", "-s", "32M", image.toString()));
        if (r.exit == 0) r = run(60, List.of("mkfs.ext4", "-q", "-F", image.toString()));
        if (r.exit != 0) return "mkfs.ext4 failed: " + r.output.strip();
        r = run(30, List.of("mount", "-o", "loop", image.toString(), mount.toString()));
        if (r.exit != 0) return "loop mount failed: " + r.output.strip();
        r = run(10, List.of("fsfreeze", "-f", mount.toString()));
        Result thaw = run(10, List.of("fsfreeze", "-u", mount.toString()));
        if (r.exit != 0 || thaw.exit != 0) {
            run(30, List.of("umount", mount.toString()));
            return "fsfreeze does not work here: " + r.output.strip() + thaw.output.strip();
        }
        return null;
    }

    /** Thaw and unmount every filesystem mounted below {@code dir} (a killed earlier invocation's). */
    static void unmountUnder(Path dir) throws IOException, InterruptedException {
        Path mounts = Path.of("/proc/mounts");
        if (!Files.isReadable(mounts)) return;
        String prefix = dir.toAbsolutePath() + "/";
        for (String line : Files.readAllLines(mounts)) {
            String[] f = line.split(" ");
            if (f.length < 2 || !f[1].startsWith(prefix)) continue;
            run(10, List.of("fsfreeze", "-u", f[1]));
            Result r = run(30, List.of("umount", f[1]));
            if (r.exit != 0) throw new IOException("cannot unmount " + f[1] + " left by an earlier run: " + r.output);
        }
    }

    /** Format {@code <dir>/<pool>.hb} for {@code slots} hosts; returns its path. */
    Path format(String pool, int slots) throws IOException, InterruptedException {
        Path device = dir.resolve(pool + ".hb");
        Result r = run(60, javaJar(jar, "heartbeat", "init", "--device", device.toString(), "--slots",
                Integer.toString(slots), "--pool", pool));
        if (r.exit == 2 && r.output.contains("--pool")) { // a CLI that takes the pool from elsewhere
            r = run(60, javaJar(jar, "heartbeat", "init", "--device", device.toString(), "--slots", Integer.toString(slots)));
        }
        if (r.exit != 0) throw new IOException("vmha heartbeat init failed (exit " + r.exit + "): " + r.output);
        return device;
    }

    boolean freezable() { return freezable; }

    String freezeUnavailable() { return freezeUnavailable; }

    String where() { return freezable ? "loop-mounted ext4 " + mount : "plain files in " + dir; }

    void freeze() throws IOException, InterruptedException {
        Result r = run(10, List.of("fsfreeze", "-f", mount.toString()));
        if (r.exit != 0) throw new IOException("fsfreeze -f failed: " + r.output);
        frozen = true;
    }

    void thaw() throws IOException, InterruptedException {
        if (!frozen) return;
        Result r = run(10, List.of("fsfreeze", "-u", mount.toString()));
        if (r.exit != 0) throw new IOException("fsfreeze -u failed: " + r.output);
        frozen = false;
    }

    @Override public synchronized void close() {
        try {
            if (frozen) thaw();
            if (mounted) {
                mounted = false;
                run(30, List.of("umount", mount.toString()));
                Files.deleteIfExists(image);
            }
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
    }

    private record Result(int exit, String output) {}

    private static List<String> javaJar(Path jar, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Result run(long timeoutSeconds, List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("vmha-chaos", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + ": timed out");
            }
            return new Result(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
