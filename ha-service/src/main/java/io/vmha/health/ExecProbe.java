package io.vmha.health;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Passes when the command (argv, no shell) exits 0 within the timeout. On timeout it is killed (SIGKILL,
 * with its children), so a hung check never piles up processes. Output is discarded: the exit code is the answer.
 */
public final class ExecProbe implements ProbeCheck {
    private final List<String> command;
    private final long timeoutMillis;

    public ExecProbe(List<String> command, long timeoutMillis) {
        this.command = List.copyOf(command);
        this.timeoutMillis = timeoutMillis;
    }

    @Override public ProbeOutcome run() {
        long start = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return ProbeOutcome.of(ProbeOutcome.Status.ERROR, start, command.get(0) + " cannot run: " + e.getMessage());
        }
        try {
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                kill(process);
                return ProbeOutcome.of(ProbeOutcome.Status.TIMEOUT, start, command.get(0) + " killed after the "
                        + timeoutMillis + " ms timeout");
            }
            int exit = process.exitValue();
            return ProbeOutcome.of(exit == 0 ? ProbeOutcome.Status.PASS : ProbeOutcome.Status.FAIL, start,
                    command.get(0) + " exit " + exit);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return ProbeOutcome.of(ProbeOutcome.Status.ERROR, start, command.get(0) + ": interrupted; killed");
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
