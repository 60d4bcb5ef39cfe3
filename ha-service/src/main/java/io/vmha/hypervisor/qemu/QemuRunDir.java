package io.vmha.hypervisor.qemu;

import io.vmha.core.port.HypervisorException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The run directory's files: per-VM paths, state files, the host files a VM's params name, qemu log tails. */
final class QemuRunDir {
    private static final int LOG_TAIL_BYTES = 2_000;

    private final Path dir;
    private final Consumer<String> journal;

    QemuRunDir(Path dir, Consumer<String> journal) {
        this.dir = dir;
        this.journal = journal;
    }

    Path dir() {
        return dir;
    }

    VmFiles files(String vm) {
        return VmFiles.of(dir, vm);
    }

    /** Files named by the params must exist here; resolves an {@code auto} disk format. */
    String checkHostFiles(String vm, String host, QemuParams params) throws HypervisorException {
        for (var entry : Map.of("kernel", params.kernel(), "initrd", params.initrd(), "disk", params.disk()).entrySet()) {
            if (entry.getValue().isPresent() && !Files.isReadable(Path.of(entry.getValue().get()))) {
                throw new HypervisorException("vm " + vm + ": driver-params." + entry.getKey() + ": \""
                        + entry.getValue().get() + "\" is not a readable file on " + host);
            }
        }
        if (params.disk().isEmpty() || !params.diskFormat().equals("auto")) return params.diskFormat();
        try (InputStream in = Files.newInputStream(Path.of(params.disk().get()))) {
            byte[] magic = in.readNBytes(4);
            return Arrays.equals(magic, new byte[]{'Q', 'F', 'I', (byte) 0xfb}) ? "qcow2" : "raw";
        } catch (IOException e) {
            throw new HypervisorException("vm " + vm + ": cannot read disk " + params.disk().get() + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the instance's sockets, pid and state file, but only if the state file is still its own. */
    void deleteTransientFiles(QemuInstance i) {
        // A new instance of the VM may have been started meanwhile: its files are not ours to delete.
        try {
            if (Files.exists(i.files.state()) && !QemuStateFile.read(i.files.state()).instanceId().equals(i.instanceId)) return;
        } catch (IOException unreadable) {
            // ours or garbage: delete
        }
        deleteQuietly(i.files.transient_());
    }

    void deleteQuietly(List<Path> files) {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                journal.accept("qemu hypervisor: cannot delete " + f + ": " + e.getMessage());
            }
        }
    }

    /** Rewrites the instance's state file through {@code change}; a failure is journalled (adoption then sees the old state). */
    void updateState(QemuInstance i, java.util.function.UnaryOperator<QemuStateFile> change) {
        try {
            change.apply(QemuStateFile.read(i.files.state())).write(i.files.state());
        } catch (IOException e) {
            journal.accept("vm " + i.vm + ": cannot update state file " + i.files.state() + ": " + e.getMessage());
        }
    }

    void writeState(QemuStateFile s, VmFiles files) {
        try {
            s.write(files.state());
        } catch (IOException e) {
            journal.accept("qemu hypervisor: cannot update state file " + files.state() + ": " + e.getMessage());
        }
    }

    /** "; qemu log (PATH):\n..." with the last lines of the log from {@code offset}, or "" if there are none. */
    static String tail(Path log, long offset) {
        String text = ProcessProbe.tail(log, offset, LOG_TAIL_BYTES);
        return text.isEmpty() ? "" : "; qemu log (" + log + "):\n" + text;
    }
}
