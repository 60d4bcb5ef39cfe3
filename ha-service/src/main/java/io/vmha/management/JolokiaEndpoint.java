package io.vmha.management;

import io.vmha.config.ObservabilityConfig;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.jolokia.jvmagent.JolokiaServer;
import org.jolokia.jvmagent.JolokiaServerConfig;

/**
 * Jolokia in this daemon's JVM: JMX over HTTP at {@code http://<address>:<port>/jolokia/}, Basic authentication
 * always on, each role held to its own policy file (see {@link RoleAccess}). Discovery (multicast) is off and
 * the JSR-160 proxy is not even on the class path.
 */
public final class JolokiaEndpoint implements AutoCloseable {
    private final JolokiaServer server;
    private boolean closed;

    private JolokiaEndpoint(JolokiaServer server) { this.server = server; }

    /** Check the roles' files, then bind and start; any problem is an exception naming the key and the file. */
    public static JolokiaEndpoint start(ObservabilityConfig.Jolokia config) throws IOException {
        RoleAccess access = new RoleAccess(config);
        Map<String, String> options = new HashMap<>();
        options.put("host", config.address());
        options.put("port", String.valueOf(config.port()));
        options.put("agentContext", "/jolokia");
        options.put("authClass", RoleAuthenticator.class.getName());
        options.put("restrictorClass", RoleRestrictor.class.getName());
        options.put("discoveryEnabled", "false");
        options.put("lazy", "false");
        options.put("includeStackTrace", "false");
        options.put("serializeException", "false");
        options.put("debug", "false");
        options.put("executor", "fixed");
        options.put("threadNr", "2");
        RoleAccess.constructing(access);
        try {
            JolokiaServer server = new JolokiaServer(new JolokiaServerConfig(options), new Slf4jLogHandler());
            server.start(false);
            return new JolokiaEndpoint(server);
        } catch (java.net.BindException e) {
            throw new IOException("jolokia.port: cannot listen on " + config.address() + ":" + config.port() + " (" + e.getMessage()
                    + "); choose a free port (0 picks one)", e);
        } finally {
            RoleAccess.constructing(null);
        }
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8778/jolokia/}. */
    public String url() {
        java.net.InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return "http://" + host + ":" + a.getPort() + "/jolokia/";
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        server.stop();
    }

    /** Jolokia's own messages go to the daemon's log. */
    static final class Slf4jLogHandler implements org.jolokia.core.api.LogHandler {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("vmha.jolokia");

        @Override public void debug(String message) { LOG.debug(message); }

        @Override public void info(String message) { LOG.info(message); }

        @Override public void error(String message, Throwable t) { LOG.error(message, t); }

        @Override public boolean isDebug() { return LOG.isDebugEnabled(); }
    }
}
