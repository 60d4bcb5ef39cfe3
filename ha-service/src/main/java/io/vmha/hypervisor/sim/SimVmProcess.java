package io.vmha.hypervisor.sim;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** How one sim VM instance runs: a fork-free bash loop, its command line, and how its exit reads. */
final class SimVmProcess {
    /** Ticks per second written by every VM: one line each 100 ms. */
    static final long PERIOD_MICROS = 100_000;

    /**
     * The VM loop; arguments: disk file, instance id, daemon pid. Fork-free on purpose (30+ per 2-core
     * host): time from {@code $EPOCHREALTIME}, the 100 ms wait is {@code read -t} on a pipe that never
     * delivers data (the pipe's write end is held by this very fd, so it never reports EOF either),
     * {@code kill -0} and {@code printf} are builtins. The deadline advances by one period per tick so the
     * rate does not drift; after a stall it resynchronises instead of bursting. The first line is
     * written at once. The loop ends (exit 0) within one tick once the daemon pid is gone.
     */
    static final String SCRIPT = """
            disk=$1 id=$2 daemon=$3
            exec {out}>>"$disk" || exit 2
            exec {tick}<> <(:) || exit 2
            period=%d
            now=${EPOCHREALTIME//[.,]/}
            next=$now
            while kill -0 "$daemon" 2>/dev/null; do
              printf '%%s %%s\\n' "$id" "$now" >&"$out"
              next=$((next + period))
              now=${EPOCHREALTIME//[.,]/}
              wait=$((next - now))
              if ((wait < 1000)); then next=$now; wait=$period; fi
              printf -v t '%%d.%%06d' $((wait / 1000000)) $((wait %% 1000000))
              read -t "$t" -u "$tick"
              now=${EPOCHREALTIME//[.,]/}
            done
            exit 0
            """.formatted(PERIOD_MICROS);

    /** {@code $0} of the loop, so that {@code ps} shows what these processes are. */
    static final String PROCESS_NAME = "vmha-sim-vm";

    private SimVmProcess() {}

    /** The argv of one VM instance; the instance id is in it, which is how adoption recognises it. */
    static List<String> command(Path disk, String instanceId, long daemonPid) {
        return List.of("bash", "-c", SCRIPT, PROCESS_NAME, disk.toString(), instanceId, Long.toString(daemonPid));
    }

    /** Spawns one instance with no pipes to us (so our death cannot SIGPIPE it) and a C locale. */
    static Process spawn(Path disk, String instanceId, long daemonPid) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(disk, instanceId, daemonPid))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.remove("BASH_ENV");
        env.remove("ENV");
        env.put("LC_ALL", "C");
        return pb.start();
    }

    /** True if {@code pid} is alive and its command line still names {@code instanceId} (not a reused pid). */
    static boolean runs(long pid, String instanceId) {
        var handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) return false;
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            for (String arg : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                if (arg.equals(instanceId)) return true;
            }
            return false;
        } catch (IOException noProc) {
            return handle.get().info().arguments()
                    .map(args -> List.of(args).contains(instanceId)).orElse(false);
        }
    }

    /**
     * Reads a child's exit value. The JDK reports death by signal N as 128+N, so 137 is SIGKILL; an
     * ordinary exit code above 128 reads the same, which the loop never uses (it exits 0 or 2).
     */
    static String describeExit(int exitValue) {
        if (exitValue > 128 && exitValue < 128 + 65) {
            int signal = exitValue - 128;
            return "killed by " + signalName(signal) + " (exit " + exitValue + ")";
        }
        if (exitValue == 0) return "exit 0 (its daemon is gone)";
        return "exit " + exitValue;
    }

    static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 6 -> "SIGABRT";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
    }
}
