package io.vmha.agent;

import io.vmha.core.HostAgent;
import io.vmha.core.MasterAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's one decision thread: steps the host, then the master role, whenever something changes
 * and at least every interval (the backstop). One thread, so the core never sees concurrent calls.
 */
final class AgentLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);

    private final HostAgent host;
    private final MasterAgent master;
    private final Wakeup wakeup;
    private final long intervalMillis;
    private final Runnable afterStep;
    private volatile boolean running = true;
    private volatile long lastStepNanos;

    /** @param afterStep run after every step on this thread (feeding the fence guard) */
    AgentLoop(HostAgent host, MasterAgent master, Wakeup wakeup, long intervalMillis, Runnable afterStep) {
        this.afterStep = afterStep;
        this.host = host;
        this.master = master;
        this.wakeup = wakeup;
        this.intervalMillis = intervalMillis;
    }

    /** How long the last host-plus-master step took (ns), for the step-time metric; read from afterStep. */
    long lastStepNanos() { return lastStepNanos; }

    void stop() {
        running = false;
        wakeup.signal();
    }

    @Override public void run() {
        while (running) {
            try {
                long begin = System.nanoTime();
                host.step();
                master.step();
                lastStepNanos = System.nanoTime() - begin;
                afterStep.run();
                wakeup.await(intervalMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A bug in one step must not kill the host's only decision thread; the next step re-reads everything.
                LOG.error("agent step failed; continuing", e);
            }
        }
    }
}
