package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.core.port.IncomingVm;
import io.vmha.core.port.LocalVm;
import io.vmha.core.port.OutgoingVm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Watches one host's qemu processes. A crash is seen three ways: the QMP connection's EOF (instant, confirmed by the
 * pid being gone), {@link Process#onExit()} for qemu this JVM spawned, and a 100 ms check of every pid (adopted
 * processes, whose exit the JDK only polls). {@code onChange} runs on a notifier thread of its own, never on a QMP
 * reader or on the watcher thread.
 */
final class QemuWatcher {
    private static final long CHECK_MILLIS = 100;
    private static final long EOF_CONFIRM_MILLIS = 3_000;
    private static final long RECONNECT_EVERY_MILLIS = 1_000;

    private final QemuHost host;
    private final Runnable onChange;
    private final ScheduledThreadPoolExecutor watcher;
    private final ExecutorService notifier;
    private final ExecutorService reconnector;
    /** Told of every MIGRATION event, so that progress is read at once rather than at the next poll. */
    private volatile Runnable onMigrationEvent = () -> { };

    QemuWatcher(QemuHost host, Runnable onChange) {
        this.host = host;
        this.onChange = onChange;
        this.watcher = new ScheduledThreadPoolExecutor(1, QemuHost.daemonThreads("qemu-" + host.name + "-watcher"));
        this.notifier = Executors.newSingleThreadExecutor(QemuHost.daemonThreads("qemu-" + host.name + "-notifier"));
        this.reconnector = Executors.newSingleThreadExecutor(QemuHost.daemonThreads("qemu-" + host.name + "-reconnector"));
    }

    void start() {
        // A periodic task that throws is never run again: the backstop check must survive any one bad round.
        watcher.scheduleWithFixedDelay(() -> {
            try {
                checkAll();
            } catch (RuntimeException e) {
                host.record("exit check failed, retried in " + CHECK_MILLIS + " ms: " + e);
            }
        }, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    void onMigrationEvent(Runnable hook) {
        this.onMigrationEvent = hook;
    }

    QmpClient.Listener listener(QemuInstance i) {
        return new QmpClient.Listener() {
            @Override
            public void event(String name, JsonNode data) {
                onEvent(i, name, data);
            }

            @Override
            public void closed(String reason) {
                onMonitorClosed(i, reason);
            }
        };
    }

    /** On a QMP reader thread: record, never block. */
    private void onEvent(QemuInstance i, String name, JsonNode data) {
        switch (name) {
            case "SHUTDOWN":
                synchronized (host.lock) { i.shutdownReason = data.path("reason").asText("unknown"); }
                host.record("vm " + i.vm + ": qemu reports SHUTDOWN (" + data.path("reason").asText("?") + ")");
                break;
            case "GUEST_PANICKED":
                synchronized (host.lock) { i.panicked = true; }
                host.record("vm " + i.vm + ": guest panicked (" + data.path("action").asText("?") + ")");
                notifyChange();
                break;
            case "RESET":
                host.record("vm " + i.vm + ": guest reset (" + data.path("reason").asText("?") + ")");
                break;
            case "RESUME":
                boolean incoming;
                synchronized (host.lock) { incoming = i.incoming != null; }
                // Only activate() resumes a target; anything else is someone else's cont on our monitor.
                if (incoming) host.record("vm " + i.vm + ": WARNING incoming " + i.describe() + " resumed before activate");
                break;
            case "MIGRATION":
                host.record("vm " + i.vm + ": migration " + data.path("status").asText("?") + " (" + i.describe() + ")");
                onMigrationEvent.run();
                break;
            default:
                break; // RTC_CHANGE, STOP, MIGRATION_PASS...: nothing HA needs
        }
    }

    /** On a QMP reader thread: qemu closed its monitor, which it does when it dies. Confirm by the pid. */
    private void onMonitorClosed(QemuInstance i, String reason) {
        synchronized (host.lock) {
            if (host.closed || i.stopping || i.gone || !host.current(i)) return;
        }
        long since = System.nanoTime();
        schedule(() -> confirmGone(i, reason, since), 0);
    }

    private void confirmGone(QemuInstance i, String reason, long sinceNanos) {
        if (!i.alive()) {
            exited(i);
        } else if (System.nanoTime() - sinceNanos < TimeUnit.MILLISECONDS.toNanos(EOF_CONFIRM_MILLIS)) {
            schedule(() -> confirmGone(i, reason, sinceNanos), 5);
        } else {
            host.record("vm " + i.vm + ": QMP monitor lost (" + reason + ") but " + i.describe() + " still runs; reconnecting");
        }
    }

    /**
     * The process is gone without the driver stopping it. A running instance turns {@code running=false}; an
     * incoming one turns FAILED (listed until discarded); a migration still SENDING from it turns FAILED. A
     * COMPLETED outgoing record stays: the target holds the whole guest, the move may still commit.
     */
    void exited(QemuInstance i) {
        String detail;
        boolean wasIncoming;
        synchronized (host.lock) {
            if (host.closed || i.stopping || i.starting || i.gone || !host.current(i)) return;
            if (!i.state.running() && i.incoming == null) return;
            i.gone = true;
            detail = i.exitDetail();
            wasIncoming = i.incoming != null;
            if (wasIncoming) {
                IncomingVm in = i.incoming;
                i.incoming = new IncomingVm(in.vm(), in.migrationId(), in.epoch(), IncomingVm.Phase.FAILED,
                        "qemu exited before activation: " + detail);
            } else {
                i.state = new LocalVm(i.vm, i.epoch, i.instanceId, false, detail);
            }
            OutgoingVm out = i.outgoing;
            if (out != null && out.phase() == OutgoingVm.Phase.SENDING) {
                i.outgoing = new OutgoingVm(out.vm(), out.migrationId(), OutgoingVm.Phase.FAILED, out.transferredBytes(),
                        out.totalBytes(), out.remainingBytes(), "the source qemu exited: " + detail);
            }
        }
        i.closeMonitor();
        host.runDir.deleteTransientFiles(i);
        if (wasIncoming) {
            host.record("vm " + i.vm + ": incoming " + i.describe() + " exited before activation: " + detail
                    + QemuRunDir.tail(i.files.log(), 0));
        } else {
            host.record("vm " + i.vm + " exited: " + detail + " (" + i.describe() + ")");
        }
        notifyChange();
    }

    /** Every 100 ms: exits nobody reported (adopted processes), and monitors to reconnect. */
    private void checkAll() {
        List<QemuInstance> live = new ArrayList<>();
        synchronized (host.lock) {
            for (QemuInstance i : host.instances.values()) {
                if (!i.stopping && !i.starting && !i.gone && (i.state.running() || i.incoming != null)) live.add(i);
            }
        }
        for (QemuInstance i : live) {
            if (!i.alive()) {
                exited(i);
            } else if (i.qmp == null || !i.qmp.isOpen()) {
                maybeReconnect(i);
            }
        }
    }

    private void maybeReconnect(QemuInstance i) {
        synchronized (host.lock) {
            long now = System.nanoTime();
            if (now - i.lastReconnectNanos < TimeUnit.MILLISECONDS.toNanos(RECONNECT_EVERY_MILLIS)) return;
            i.lastReconnectNanos = now;
        }
        try {
            reconnector.execute(() -> {
                try {
                    QmpClient qmp = QmpClient.connect(i.files.qmp(), QemuHost.QMP_TIMEOUT_MILLIS, listener(i), host.threadName(i));
                    synchronized (host.lock) {
                        if (host.closed || i.stopping || !host.current(i)) {
                            qmp.close();
                            return;
                        }
                        i.qmp = qmp;
                    }
                    host.record("vm " + i.vm + ": QMP monitor reconnected (" + i.describe() + ")");
                } catch (QmpException e) {
                    // retried on a later check; an exit is found by the pid check
                }
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            // close() raced us
        }
    }

    void watch(QemuInstance i) {
        try {
            i.handle.onExit().whenCompleteAsync((ignored, error) -> exited(i), watcher);
        } catch (RejectedExecutionException closedMeanwhile) {
            // close() raced us: exits are no longer watched, by contract
        }
    }

    private void schedule(Runnable task, long delayMillis) {
        try {
            watcher.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closedMeanwhile) {
            // closed: no more watching
        }
    }

    void notifyChange() {
        try {
            notifier.execute(() -> {
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    host.record("qemu hypervisor: change listener failed: " + e);
                }
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            // closed: listeners are no longer called
        }
    }

    void close() {
        watcher.shutdownNow();
        reconnector.shutdownNow();
        notifier.shutdown();
    }
}
