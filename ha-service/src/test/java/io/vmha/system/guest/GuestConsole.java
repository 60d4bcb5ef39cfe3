package io.vmha.system.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The guest's serial console as qemu writes it ({@code -serial file:PATH}): wait for a line, from an offset so
 * that a reboot's second "ready" is told apart from the first.
 */
public final class GuestConsole {
    private final Path file;

    public GuestConsole(Path file) {
        this.file = file;
    }

    /** The console's current length: pass it to {@link #awaitLine} to see only lines written from now on. */
    public long mark() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The first complete line at or after byte {@code from} that contains {@code text}, polling every 20 ms.
     *
     * @throws TimeoutException after {@code timeout}, with the console's last lines in the message
     */
    public String awaitLine(String text, long from, Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : completeLinesFrom(from)) {
                if (line.contains(text)) return line;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("no console line containing '" + text + "' within " + timeout
                        + " in " + file + "; last lines:\n" + tail(15));
            }
            Thread.sleep(20);
        }
    }

    /** The last {@code count} lines of the console (for failure messages). */
    public String tail(int count) {
        List<String> lines = completeLinesFrom(0);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    private List<String> completeLinesFrom(long from) {
        try {
            if (!Files.exists(file)) return List.of();
            byte[] all = Files.readAllBytes(file);
            int start = (int) Math.min(from, all.length);
            int end = all.length;
            while (end > start && all[end - 1] != '\n') end--; // a line still being written is not complete
            String text = new String(all, start, end - start, StandardCharsets.UTF_8);
            return Arrays.stream(text.split("\n")).map(l -> l.replace("\r", "")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
