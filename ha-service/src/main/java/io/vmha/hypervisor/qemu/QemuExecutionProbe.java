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
 * running. One connection per process is kept open between samples (qemu serves one client per monitor; the driver
 * never uses this one). Called from the census thread only.
 */
public final class QemuExecutionProbe implements ProcessCensus.Probe, AutoCloseable {
    private static final long TIMEOUT_MILLIS = 500;
    private static final QmpClient.Listener IGNORE = new QmpClient.Listener() {
        @Override
        public void event(String name, JsonNode data) { }

        @Override
        public void closed(String reason) { }
    };

    private record Connection(List<String> argv, QmpClient client) {}

    private final Map<Path, Connection> connections = new HashMap<>();

    @Override
    public boolean executing(List<String> argv) {
        Optional<Path> socket = QemuCommand.checkSocket(argv);
        if (socket.isEmpty()) return true;
        try {
            return status(socket.get(), argv).equals("running");
        } catch (QmpException e) {
            Connection c = connections.remove(socket.get());
            if (c != null) c.client().close();
            return true;
        }
    }

    /** qemu's run state, over a connection kept for this very process (same argv); a new instance gets a new one. */
    String status(Path socket, List<String> argv) throws QmpException {
        Connection c = connections.get(socket);
        if (c == null || !c.argv().equals(argv) || !c.client().isOpen()) {
            if (c != null) c.client().close();
            c = new Connection(argv, QmpClient.connect(socket, TIMEOUT_MILLIS, IGNORE, "vmha-census-qmp"));
            connections.put(socket, c);
        }
        return c.client().execute("query-status", null, TIMEOUT_MILLIS).path("status").asText("");
    }

    @Override
    public void close() {
        connections.values().forEach(c -> c.client().close());
        connections.clear();
    }
}
