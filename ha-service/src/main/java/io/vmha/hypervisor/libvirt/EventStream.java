package io.vmha.hypervisor.libvirt;

import io.vmha.core.port.Journal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The long-running {@code virsh event --loop --event lifecycle} (libvirt 9.0 refuses {@code --all} together
 * with {@code --event}; without {@code --domain} it reports every domain). Each line that parses goes to
 * {@code onEvent}, on this stream's own thread. When virsh dies (libvirtd restarted, virsh killed) the
 * stream is restarted after a backoff that doubles per quick failure, the restart is journaled, and
 * {@code onRestart} runs: events of the gap are lost, so the driver re-checks every domain.
 */
final class EventStream implements AutoCloseable {
    /** A stream that ran this long was healthy: the next failure waits the minimum backoff again. */
    private static final long STABLE_MILLIS = 30_000;

    private final String host;
    private final Virsh virsh;
    private final LibvirtConfig config;
    private final Journal journal;
    private final Consumer<LifecycleEvent> onEvent;
    private final Runnable onRestart;
    private final Path stderrLog;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Process current;
    private volatile long restarts;

    EventStream(String host, Virsh virsh, LibvirtConfig config, Journal journal, Consumer<LifecycleEvent> onEvent,
                Runnable onRestart) {
        this.host = host;
        this.virsh = virsh;
        this.config = config;
        this.journal = journal;
        this.onEvent = onEvent;
        this.onRestart = onRestart;
        this.stderrLog = config.logsDirectory().resolve("virsh-event.log");
        this.thread = new Thread(this::run, "libvirt-" + host + "-events");
        this.thread.setDaemon(true);
    }

    void start() { thread.start(); }

    /** The pid of the virsh process now streaming, -1 between restarts. */
    long pid() {
        Process p = current;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    /** How many times the stream was restarted after dying. */
    long restarts() { return restarts; }

    private void run() {
        long backoff = config.eventRestartMinMillis();
        while (!closed) {
            long began = System.nanoTime();
            String outcome;
            try {
                outcome = streamOnce();
            } catch (IOException e) {
                outcome = "could not run: " + e.getMessage();
            } catch (RuntimeException e) {
                outcome = "failed: " + e; // a listener bug must not end event watching
            }
            if (closed) return;
            if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) >= STABLE_MILLIS) {
                backoff = config.eventRestartMinMillis();
            }
            journal.record(host, "libvirt event stream " + outcome + "; restarting it in " + backoff + " ms");
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                if (closed) return;
            }
            backoff = Math.min(backoff * 2, config.eventRestartMaxMillis());
            restarts++;
        }
    }

    /** Runs virsh until it ends; returns how it ended. */
    private String streamOnce() throws IOException {
        List<String> cmd = virsh.command("event", "--loop", "--event", "lifecycle");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        current = p;
        if (closed) { // close() may have missed this process
            p.destroyForcibly();
            return "closed";
        }
        if (restarts > 0) {
            journal.record(host, "libvirt event stream restarted (virsh pid " + p.pid() + ", restart " + restarts + ")");
            onRestart.run();
        }
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                LifecycleEvent.parse(line).ifPresent(onEvent);
            }
        }
        try {
            int exit = p.waitFor();
            return "(virsh pid " + p.pid() + ") ended with exit " + exit + lastError();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            return "interrupted";
        } finally {
            current = null;
        }
    }

    /** The last line virsh wrote to its stderr log, e.g. "error: Disconnected from qemu:///system ...". */
    private String lastError() {
        try (RandomAccessFile f = new RandomAccessFile(stderrLog.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - 2048);
            byte[] tail = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).strip().split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (lines[i].startsWith("error:")) return ": " + lines[i].strip();
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the stream and waits briefly for its thread. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Process p = current;
        if (p != null) p.destroyForcibly();
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
