package io.vmha.hypervisor.qemu;

import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.LocalVm;
import io.vmha.core.port.OutgoingVm;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One qemu process the driver knows. Identity fields are final; the mutable ones are guarded by the
 * driver's lock except {@link #qmp} (volatile: replaced on reconnect, read by any thread).
 */
final class QemuInstance {
    final String vm;
    final long epoch;
    final String instanceId;
    final VmFiles files;
    final long pid;
    final ProcessHandle handle;
    /** The JDK child when this driver's JVM spawned it (exit code known at once); null when adopted. */
    final Process child;
    final boolean agentChannel;
    /** One guest-agent conversation at a time: the agent chardev accepts one client. */
    final Semaphore agentBusy = new Semaphore(1);

    volatile QmpClient qmp;

    // ---- guarded by the driver's lock ----
    LocalVm state;
    /** start() has not returned yet: not listed by instances(), exits are start()'s to report. */
    boolean starting;
    /** A migration target not yet activated (null otherwise): not listed by instances(), its guest stays paused. */
    IncomingVm incoming;
    /** The outgoing migration of this (source) instance, null if none or cleared. */
    OutgoingVm outgoing;
    /** qemu's own max-bandwidth and downtime-limit, read before the first outgoing migration changed them. */
    long[] migrationDefaults;
    /** Why the outgoing migration was cancelled, null unless cancelOutgoing asked. */
    String cancelReason;
    /** The process is known to be gone (its exit was handled). */
    boolean gone;
    /** stop/shutdown/migration owns its end: its exit is not a crash. */
    boolean stopping;
    /** GUEST_PANICKED seen since the last start or reset. */
    boolean panicked;
    /** The reason of qemu's SHUTDOWN event, "" if none (then an exit is a crash or a kill). */
    String shutdownReason = "";
    /** System.nanoTime() of the last QMP reconnect attempt. */
    long lastReconnectNanos;

    QemuInstance(String vm, long epoch, String instanceId, VmFiles files, ProcessHandle handle, Process child,
                 boolean agentChannel) {
        this.vm = vm;
        this.epoch = epoch;
        this.instanceId = instanceId;
        this.files = files;
        this.pid = handle.pid();
        this.handle = handle;
        this.child = child;
        this.agentChannel = agentChannel;
        this.state = new LocalVm(vm, epoch, instanceId, false, "");
    }

    /** Is the process still there? For a child the JDK knows; otherwise /proc (zombies and reused pids count as gone). */
    boolean alive() {
        if (child != null) return child.isAlive();
        return ProcessProbe.runs(pid, QemuCommand.instanceArgument(instanceId));
    }

    /** Waits up to {@code timeoutMillis} for the process to be gone; true if it is. */
    boolean awaitGone(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            if (child != null) return child.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
            while (alive()) {
                if (System.nanoTime() > deadline) return false;
                Thread.sleep(5);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !alive();
        }
    }

    /** How the process ended, as precisely as we know it. Call once it is gone. */
    String exitDetail() {
        String how = child != null ? "qemu " + ProcessProbe.describeExit(child.exitValue())
                : "qemu gone (adopted instance: exit status unknown)";
        String why;
        switch (shutdownReason) {
            case "": why = ""; break;
            case "guest-shutdown": why = "guest powered off (SHUTDOWN guest-shutdown); "; break;
            case "host-signal": why = "qemu shut down by a signal (SHUTDOWN host-signal); "; break;
            case "host-qmp-quit": why = "qemu quit by a QMP command (SHUTDOWN host-qmp-quit); "; break;
            default: why = "qemu shut down (SHUTDOWN " + shutdownReason + "); "; break;
        }
        return why + how + (panicked ? "; the guest had panicked" : "");
    }

    String describe() {
        return "instance " + instanceId + " (pid " + pid + ", epoch " + epoch + ")";
    }

    void closeMonitor() {
        QmpClient client = qmp;
        if (client != null) client.close();
    }
}
