package io.vmha.hypervisor.libvirt;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs {@code virsh -c URI ...} with a C locale and a time limit; both outputs are read to the end. */
final class Virsh {
    private final String binary;
    private final String uri;
    private final long defaultTimeoutMillis;

    /** What one virsh call said. */
    record Result(List<String> command, int exit, String stdout, String stderr) {
        boolean ok() { return exit == 0; }

        /** virsh's error, one line, for messages: "error: failed to get domain 'x'" becomes that text. */
        String error() {
            String text = stderr.strip().replace('\n', ' ');
            return text.isEmpty() ? "exit " + exit + ", no message" : text;
        }
    }

    Virsh(String binary, String uri, long defaultTimeoutMillis) {
        this.binary = binary;
        this.uri = uri;
        this.defaultTimeoutMillis = defaultTimeoutMillis;
    }

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary, "-q", "-c", uri));
        cmd.addAll(List.of(args));
        return cmd;
    }

    Result run(String... args) throws IOException { return run(defaultTimeoutMillis, args); }

    /** Runs one virsh command; a call still running after {@code timeoutMillis} is killed and throws. */
    Result run(long timeoutMillis, String... args) throws IOException {
        List<String> cmd = command(args);
        Process p = start(cmd);
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer within " + timeoutMillis + " ms (killed)");
            }
            return new Result(cmd, p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(String.join(" ", cmd) + ": cannot read its output: " + e, e);
        }
    }

    /** Starts virsh with stdin from /dev/null, LC_ALL=C so that its messages parse the same everywhere. */
    Process start(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        return pb.start();
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        }, "virsh-output");
        t.setDaemon(true);
        t.start();
        return result;
    }
}
