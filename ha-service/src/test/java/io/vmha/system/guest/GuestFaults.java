package io.vmha.system.guest;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * How the host makes the tiny guest fail, with nothing of vmha inside it: shell commands run by the guest
 * agent's guest-exec (Debian's qemu-ga blocks no command by default). See system-tests/guest/README.md.
 */
public final class GuestFaults {
    private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The kernel panics (sysrq-c) a second later; with {@code -device pvpanic} qemu then emits GUEST_PANICKED.
     * Delayed and backgrounded so that guest-exec's reply leaves the guest before the panic.
     */
    public static final String PANIC = "(sleep 1; echo c > /proc/sysrq-trigger) </dev/null >/dev/null 2>&1 &";

    /**
     * A hung guest that qemu still reports running: with RT throttling off, one SCHED_FIFO 99 busy loop pinned
     * to each vCPU starves every ordinary task, the agent included. Started a second later, for the same reason.
     */
    static final String HANG = "echo -1 > /proc/sys/kernel/sched_rt_runtime_us; cpus=$(nproc); "
            + "(sleep 1; c=0; while [ $c -lt $cpus ]; do taskset -c $c chrt -f 99 sh -c 'while :; do :; done' & "
            + "c=$((c + 1)); done) </dev/null >/dev/null 2>&1 &";

    static final String KILL_HTTPD = "killall httpd";
    static final String START_HTTPD = "httpd -p 80 -h /www";

    private GuestFaults() {}

    /** Panics the guest kernel about a second from now. */
    public static void panic(GuestAgentTestClient agent) throws TimeoutException, InterruptedException {
        shell(agent, PANIC);
    }

    /** Hangs the guest (agent unanswered, vCPUs busy) about a second from now; only a reset ends it. */
    public static void hang(GuestAgentTestClient agent) throws TimeoutException, InterruptedException {
        shell(agent, HANG);
    }

    /** Kills the guest's HTTP server: the health page stops answering. */
    public static void killHttpd(GuestAgentTestClient agent) throws TimeoutException, InterruptedException {
        shell(agent, KILL_HTTPD);
    }

    /** Starts the guest's HTTP server again (the guest respawns nothing by itself). */
    public static void startHttpd(GuestAgentTestClient agent) throws TimeoutException, InterruptedException {
        shell(agent, START_HTTPD);
    }

    /** Runs {@code script} with the guest's /bin/sh; fails unless it exits 0. */
    static void shell(GuestAgentTestClient agent, String script) throws TimeoutException, InterruptedException {
        GuestAgentTestClient.ExecStatus status = agent.run(AGENT_TIMEOUT, "/bin/sh", "-c", script);
        if (status.exitCode() == null || status.exitCode() != 0) {
            throw new IllegalStateException("guest: '" + script + "' exited " + status.exitCode()
                    + "; stderr: " + status.stderr());
        }
    }
}
