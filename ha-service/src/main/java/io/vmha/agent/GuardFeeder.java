package io.vmha.agent;

import io.vmha.core.HostAgent;
import io.vmha.core.port.Clock;
import io.vmha.core.port.Hypervisor;
import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import io.vmha.fencing.FenceGuard;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Feeds the fence guard after every decision step with the deadline the core computed, so the guard
 * stops this host's VMs by that deadline even if this JVM never runs again. If the guard is gone, a new
 * one is started; if that fails too, the VMs are stopped now: no VM runs without a guard.
 */
final class GuardFeeder implements AutoCloseable {
    private final String host;
    private final Path workDir;
    private final Path logFile;
    private final HostAgent agent;
    private final Hypervisor hypervisor;
    private final Clock clock;
    private final Journal journal;
    private FenceGuard guard;

    GuardFeeder(String host, Path workDir, Path logFile, HostAgent agent, Hypervisor hypervisor, Clock clock,
                Journal journal) {
        this.host = host;
        this.workDir = workDir;
        this.logFile = logFile;
        this.agent = agent;
        this.hypervisor = hypervisor;
        this.clock = clock;
        this.journal = journal;
    }

    void start() throws IOException {
        guard = new FenceGuard(host, hypervisor.processMarker(), workDir, logFile);
        guard.start();
        journal.record(host, "fence guard running (pid " + guard.pid() + ", log " + logFile + ")");
    }

    /** Called by the loop thread after each step. */
    void feed() {
        long validFor = Math.max(0, agent.runUntil() - clock.monotonicMillis());
        try {
            guard.feed(validFor, hypervisor.runningPids());
        } catch (FenceGuard.GuardLostException e) {
            journal.record(host, "fence guard lost (" + e.getMessage() + "); starting a new one");
            try {
                guard.close();
                start();
                guard.feed(validFor, hypervisor.runningPids());
            } catch (IOException again) { // GuardLostException is one
                journal.record(host, "no fence guard (" + again.getMessage() + "): stopping every local VM now");
                for (String vm : hypervisor.instances().keySet()) {
                    try {
                        hypervisor.stop(vm, "no fence guard");
                    } catch (HypervisorException stopFailed) {
                        journal.record(host, "could not stop " + vm + ": " + stopFailed.getMessage());
                    }
                }
            }
        }
    }

    /** Orderly stop: the guard exits without killing anything. */
    @Override public void close() {
        if (guard != null) guard.close();
    }
}
