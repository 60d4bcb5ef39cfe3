package io.vmha.fencing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in daemon for the SIGSTOP test, run as its own JVM: starts a {@link FenceGuard} and feeds it
 * every {@code periodMs}. Args: workDir logFile validMs periodMs pid... Prints "guard PID" once started.
 */
public final class FenceGuardFeederMain {
    private FenceGuardFeederMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path log = Path.of(args[1]);
        long validMs = Long.parseLong(args[2]);
        long periodMs = Long.parseLong(args[3]);
        List<Long> pids = new ArrayList<>();
        for (int i = 4; i < args.length; i++) pids.add(Long.parseLong(args[i]));
        FenceGuard guard = new FenceGuard("feeder-host", GuardTestSupport.MARKER, dir, log);
        guard.start();
        guard.feed(validMs, pids);
        System.out.println("guard " + guard.pid().getAsLong());
        System.out.flush();
        while (true) {
            Thread.sleep(periodMs);
            try {
                guard.feed(validMs, pids);
            } catch (FenceGuard.GuardLostException e) {
                System.err.println("feeder: " + e.getMessage());
                System.exit(4);
            }
        }
    }
}
