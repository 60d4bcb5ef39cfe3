package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmha.core.port.MigrationOptions;

/** The QMP arguments of an outgoing migration. Pure. */
final class MigrationArguments {
    private MigrationArguments() {}

    /** Only to loopback: the other end is the local tunnel port, never a remote host in clear text. */
    static String uri(int port) {
        return "tcp:127.0.0.1:" + port;
    }

    /**
     * {@code migrate-set-parameters}: the options' cap and downtime, or, where an option is 0, the values qemu had
     * before vmha first changed them ({@code defaults}: max-bandwidth, downtime-limit), so that a retry without a
     * cap does not inherit the previous migration's cap.
     */
    static ObjectNode parameters(MigrationOptions options, long[] defaults) {
        ObjectNode p = QmpClient.args();
        p.put("max-bandwidth", options.bandwidthBytesPerSecond() > 0 ? options.bandwidthBytesPerSecond() : defaults[0]);
        p.put("downtime-limit", options.maxDowntimeMillis() > 0 ? options.maxDowntimeMillis() : defaults[1]);
        return p;
    }

    static String describe(MigrationOptions options) {
        return "bandwidth " + (options.bandwidthBytesPerSecond() > 0 ? options.bandwidthBytesPerSecond() + " B/s" : "qemu's default")
                + ", max downtime " + (options.maxDowntimeMillis() > 0 ? options.maxDowntimeMillis() + " ms" : "qemu's default");
    }
}
