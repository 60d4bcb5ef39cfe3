package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmha.checker.ProcessCensus;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The double-run census's question to a qemu process: does it execute guest code? Asked over the census's own
 * QMP socket (the {@code -qmp unix:...chk} every instance of this driver has, found in the process's argv, not in
 * vmha's state), with {@code query-status}: only {@code running} executes; paused, prelaunch, inmigrate,
 * postmigrate... do not. Anything that prevents an answer (no such socket, no connection, a timeout) counts as
 * running, with one exception: a qemu started with {@code -S} that has never answered yet. Its vCPUs wait for a
 * {@code cont} over a monitor, and qemu creates all its monitors (ours included) before it serves any, so until
 * ours answers it is still starting (otherwise every start and every migration target would be a run from spawn on).
 *
 * <p>One connection per process is kept between samples (a qemu monitor serves one client at a time: the census
 * must be this socket's only user). Called from the census thread only.
 */
public final class QemuExecutionProbe implements ProcessCensus.Probe, AutoCloseable {
    private static final long TIMEOUT_MILLIS = 500;
    private static final QmpClient.Listener IGNORE = new QmpClient.Listener() {
        @Override
        public void event(String name, JsonNode data) { }

        @Override
        public void closed(String reason) { }
    };

    /** One process behind a census socket (a new instance of the VM reuses the path, with another argv). */
    private static final class Watched {
        final List<String> argv;
        QmpClient client;
        boolean answered;

        Watched(List<String> argv) {
            this.argv = argv;
        }

        void disconnect() {
            if (client != null) client.close();
            client = null;
        }
    }

    private final Map<Path, Watched> watched = new HashMap<>();

    @Override
    public boolean executing(List<String> argv) {
        Optional<Path> socket = QemuCommand.checkSocket(argv);
        if (socket.isEmpty()) return true;
        Watched w = watched.get(socket.get());
        if (w == null || !w.argv.equals(argv)) {
            if (w != null) w.disconnect();
            w = new Watched(argv);
            watched.put(socket.get(), w);
        }
        try {
            if (w.client == null || !w.client.isOpen()) {
                w.disconnect();
                w.client = QmpClient.connect(socket.get(), TIMEOUT_MILLIS, IGNORE, "vmha-census-qmp");
            }
            String status = w.client.execute("query-status", null, TIMEOUT_MILLIS).path("status").asText("");
            w.answered = true;
            return status.equals("running");
        } catch (QmpException e) {
            w.disconnect();
            return w.answered || !argv.contains("-S");
        }
    }

    @Override
    public void close() {
        watched.values().forEach(Watched::disconnect);
        watched.clear();
    }
}
