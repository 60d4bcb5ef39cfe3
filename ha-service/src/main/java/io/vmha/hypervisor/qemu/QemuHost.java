package io.vmha.hypervisor.qemu;

import io.vmha.core.port.Journal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

/**
 * What the parts of one host's qemu driver share ({@link QemuHypervisor}, {@link QemuWatcher},
 * {@link QemuAdoption}, {@link QemuMigration}): the host's name, settings, journal, and the instances under one lock.
 */
final class QemuHost {
    static final long QMP_TIMEOUT_MILLIS = 2_000;

    final String name;
    final QemuConfig config;
    final Journal journal;
    final QemuRunDir runDir;
    final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    final Map<String, QemuInstance> instances = new HashMap<>();
    /** Guarded by {@link #lock}. */
    boolean closed;

    QemuHost(String name, QemuConfig config, Journal journal) {
        this.name = java.util.Objects.requireNonNull(name, "host");
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.journal = java.util.Objects.requireNonNull(journal, "journal");
        this.runDir = new QemuRunDir(config.runDir(), this::record);
    }

    void record(String message) {
        journal.record(name, message);
    }

    /** The instance of {@code vm} if it is still the current one (not replaced, not forgotten). Hold the lock. */
    boolean current(QemuInstance i) {
        return instances.get(i.vm) == i;
    }

    String threadName(QemuInstance i) {
        return "qemu-" + name + "-qmp-" + i.vm;
    }

    static ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
