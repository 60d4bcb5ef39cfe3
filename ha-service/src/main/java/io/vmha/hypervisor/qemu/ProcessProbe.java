package io.vmha.hypervisor.qemu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** What /proc says about a qemu process: alive (a zombie is not), which instance it is, the tail of its log. */
final class ProcessProbe {
    private ProcessProbe() {}

    /**
     * True if {@code pid} exists, is not a zombie and one argv element equals {@code argument}. A zombie
     * counts as gone: a qemu whose parent (init, after a daemon restart) has not reaped it yet is dead.
     */
    static boolean runs(long pid, String argument) {
        return alive(pid) && cmdline(pid).contains(argument);
    }

    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z' && stat.charAt(close + 2) != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    /** The argv of {@code pid}; empty if it is gone. */
    static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            if (raw.length == 0) return List.of();
            return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException gone) {
            return List.of();
        }
    }

    /** The last {@code maxBytes} of {@code file} from {@code offset} on, as text; "" if unreadable. */
    static String tail(Path file, long offset, int maxBytes) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(offset, f.length() - maxBytes);
            byte[] bytes = new byte[(int) Math.max(0, f.length() - from)];
            f.seek(from);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The JDK reports death by signal N as 128+N. */
    static String describeExit(int exitValue) {
        if (exitValue > 128 && exitValue < 128 + 65) return "killed by " + signalName(exitValue - 128) + " (exit " + exitValue + ")";
        return "exit " + exitValue;
    }

    static String signalName(int signal) {
        switch (signal) {
            case 1: return "SIGHUP";
            case 2: return "SIGINT";
            case 6: return "SIGABRT";
            case 9: return "SIGKILL";
            case 11: return "SIGSEGV";
            case 15: return "SIGTERM";
            default: return "signal " + signal;
        }
    }
}
