package io.vmha.checker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The double-run oracle for real VM processes (qemu): it watches {@code /proc} from outside vmha and,
 * every period, appends one line {@code <instance> <micros>} to {@code <disksDir>/<vm>.disk} for each VM
 * process it sees alive, which is the very format the sim VMs write themselves. {@link DoubleRunChecker}
 * and the demo's recovery measurement then work unchanged: an instance's span is the time the census saw
 * its process, and two instances of one VM seen in the same sample ran at the same time.
 *
 * <p>A run is the execution of guest code, so a process counts only while its {@link Probe} says it executes
 * (a migration target paused before activation, or a source paused after its stream completed, exists but does
 * not run). Where two instances of one VM both say so in a sample, each is asked once more in reverse order, so
 * that every instance counted was seen executing both before and after the others were: a source that paused
 * between the two questions is not taken for a double run with the target that started meanwhile.
 *
 * <p>Sound, not complete below one period: what it reports happened; an overlap shorter than a period can
 * go unseen. It trusts no vmha bookkeeping: which VM and which instance a process is comes from its own
 * command line, through {@code identify}, and whether it executes from the process itself, through the probe.
 */
public final class ProcessCensus implements AutoCloseable {
    /** Which VM and which instance a process is, from its argv. */
    public record Identity(String vm, String instance) {}

    /** Asks a VM process itself whether it executes guest code right now. */
    @FunctionalInterface
    public interface Probe {
        /** True if the process runs its guest, and also whenever it cannot be asked (conservative). */
        boolean executing(List<String> argv);

        /** Every VM process counts as running while it exists (processes that cannot be asked). */
        Probe ALWAYS = argv -> true;
    }

    private record Candidate(Identity id, List<String> argv, Path dir) {}

    /** How long a suspected double run waits before its instances are asked again (a process being killed gets to die). */
    static final long RECHECK_MILLIS = 50;

    private static final long RECHECK_OTHERS_MILLIS = 2_000;
    /**
     * Only processes at least this old are remembered as "not a VM": a younger one may still be a spawn helper
     * (or {@code setsid}) about to exec qemu, and ignoring it for a while would hide the start of an instance.
     */
    private static final double SETTLED_SECONDS = 2.0;
    /** USER_HZ: the unit of a process's start time in /proc/PID/stat (100 on every Linux architecture vmha runs on). */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private final Path disksDir;
    private final String marker;
    private final Function<List<String>, Optional<Identity>> identify;
    private final Probe probe;
    private final long periodMillis;
    private final Path proc;
    private final ScheduledExecutorService timer;
    private final Map<String, FileChannel> disks = new HashMap<>();
    /** Pids whose command line lacked the marker, with when they were last looked at. */
    private final Map<Long, Long> others = new HashMap<>();
    private long samples;

    public ProcessCensus(Path disksDir, String marker, Function<List<String>, Optional<Identity>> identify,
                         long periodMillis) {
        this(disksDir, marker, identify, Probe.ALWAYS, periodMillis, Path.of("/proc"));
    }

    /** {@code probe} is closed with the census when it is {@link AutoCloseable}. */
    public ProcessCensus(Path disksDir, String marker, Function<List<String>, Optional<Identity>> identify,
                         Probe probe, long periodMillis) {
        this(disksDir, marker, identify, probe, periodMillis, Path.of("/proc"));
    }

    ProcessCensus(Path disksDir, String marker, Function<List<String>, Optional<Identity>> identify,
                  Probe probe, long periodMillis, Path proc) {
        if (marker.length() < 4) throw new IllegalArgumentException("marker '" + marker + "' is too short");
        if (periodMillis < 10) throw new IllegalArgumentException("period " + periodMillis + " ms is below 10 ms");
        this.disksDir = disksDir;
        this.marker = marker;
        this.identify = identify;
        this.probe = probe;
        this.periodMillis = periodMillis;
        this.proc = proc;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vmha-process-census");
            t.setDaemon(true);
            return t;
        });
    }

    public ProcessCensus start() {
        try {
            Files.createDirectories(disksDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + disksDir, e);
        }
        timer.scheduleAtFixedRate(this::sampleQuietly, 0, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Samples taken so far (for tests and reports). */
    public synchronized long samples() { return samples; }

    /** One look at every process; appends a line per VM process seen executing. Package-private for tests. */
    synchronized List<Identity> sample() throws IOException {
        long now = System.currentTimeMillis();
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        List<Candidate> found = new ArrayList<>();
        double uptime = uptimeSeconds();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path dir : pids) {
                long pid;
                try {
                    pid = Long.parseLong(dir.getFileName().toString());
                } catch (NumberFormatException notAPid) {
                    continue;
                }
                Long checked = others.get(pid);
                if (checked != null && now - checked < RECHECK_OTHERS_MILLIS) continue;
                List<String> argv = argv(dir.resolve("cmdline"));
                if (argv == null) continue; // gone meanwhile
                if (argv.stream().noneMatch(a -> a.contains(marker))) {
                    if (settled(dir, uptime)) others.put(pid, now);
                    continue;
                }
                others.remove(pid);
                Optional<Identity> id = identify.apply(argv);
                if (id.isEmpty()) continue;
                found.add(new Candidate(id.get(), argv, dir));
            }
        }
        List<Identity> seen = executing(found);
        for (Identity id : seen) write(id, micros);
        others.keySet().removeIf(pid -> !Files.exists(proc.resolve(Long.toString(pid))));
        samples++;
        return seen;
    }

    /** The candidates that execute: asked once each, and those of a VM with two or more executing asked again in reverse. */
    private List<Identity> executing(List<Candidate> found) {
        List<Candidate> first = new ArrayList<>();
        Map<String, Integer> perVm = new HashMap<>();
        for (Candidate c : found) {
            if (!probe.executing(c.argv())) continue;
            first.add(c);
            perVm.merge(c.id().vm(), 1, Integer::sum);
        }
        List<Identity> seen = new ArrayList<>();
        java.util.Set<Candidate> confirmed = new java.util.HashSet<>();
        // A process being killed stops answering its monitor before it leaves /proc, and an unanswering process counts
        // as executing: give a suspected double run a moment, then count only processes still alive (not a zombie).
        if (perVm.values().stream().anyMatch(n -> n >= 2)) sleepQuietly(RECHECK_MILLIS);
        for (int k = first.size() - 1; k >= 0; k--) {
            Candidate c = first.get(k);
            if (perVm.get(c.id().vm()) < 2 || (alive(c.dir()) && probe.executing(c.argv()))) confirmed.add(c);
        }
        for (Candidate c : first) if (confirmed.contains(c)) seen.add(c.id());
        return seen;
    }

    private double uptimeSeconds() throws IOException {
        String text = Files.readString(proc.resolve("uptime")).trim();
        return Double.parseDouble(text.substring(0, text.indexOf(' ')));
    }

    /** True while the process exists and is not a zombie (state Z) or dead (X): only such a process can execute. */
    static boolean alive(Path dir) {
        try {
            String stat = Files.readString(dir.resolve("stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X' && state != 'x';
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True if the process started at least {@link #SETTLED_SECONDS} ago (field 22 of /proc/PID/stat). */
    private static boolean settled(Path dir, double uptime) {
        try {
            String stat = Files.readString(dir.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double started = Long.parseLong(fields[19]) / CLOCK_TICKS_PER_SECOND; // field 22 overall, 20th after the name
            return uptime - started >= SETTLED_SECONDS;
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (IOException | RuntimeException e) {
            System.err.println("process census: sample failed: " + e);
        }
    }

    private void write(Identity id, long micros) throws IOException {
        FileChannel disk = disks.get(id.vm());
        if (disk == null) {
            disk = FileChannel.open(disksDir.resolve(id.vm() + DoubleRunChecker.SUFFIX),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            disks.put(id.vm(), disk);
        }
        disk.write(ByteBuffer.wrap((id.instance() + " " + micros + "\n").getBytes(StandardCharsets.US_ASCII)));
    }

    private static List<String> argv(Path cmdline) {
        try {
            byte[] raw = Files.readAllBytes(cmdline);
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            return args;
        } catch (IOException gone) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        if (probe instanceof AutoCloseable) {
            try {
                ((AutoCloseable) probe).close();
            } catch (Exception e) {
                System.err.println("process census: closing the probe failed: " + e);
            }
        }
        for (FileChannel disk : disks.values()) {
            try {
                disk.close();
            } catch (IOException ignored) {
                // nothing more to write
            }
        }
        disks.clear();
    }
}
