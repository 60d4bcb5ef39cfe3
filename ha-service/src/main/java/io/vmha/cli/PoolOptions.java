package io.vmha.cli;

import io.vmha.coordination.Curators;
import io.vmha.core.Names;
import io.vmha.core.port.CoordinationException;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Option;

import java.util.concurrent.TimeUnit;

/** Where the pool lives: shared by every command that talks to ZooKeeper. */
final class PoolOptions {
    @Option(names = "--zk", paramLabel = "CONNECT", defaultValue = "${env:VMHA_ZK:-127.0.0.1:2181}",
            description = "ZooKeeper connect string (default: $VMHA_ZK or ${DEFAULT-VALUE}).")
    String zk;

    @Option(names = "--pool", defaultValue = "${env:VMHA_POOL:-demo}",
            description = "Pool name (default: $VMHA_POOL or ${DEFAULT-VALUE}).")
    String pool;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Give up reaching ZooKeeper after this long (default: ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds;

    /** A started client, connected, or a CoordinationException naming the address. */
    CuratorFramework connect() throws CoordinationException, InterruptedException {
        Names.check("--pool", pool);
        CuratorFramework client = Curators.newClient(zk, 6000, connectTimeoutSeconds * 1000);
        client.start();
        if (!client.blockUntilConnected(connectTimeoutSeconds, TimeUnit.SECONDS)) {
            client.close();
            throw new CoordinationException("cannot reach ZooKeeper at " + zk + " within " + connectTimeoutSeconds
                    + " s (is it running? set --zk or $VMHA_ZK)");
        }
        return client;
    }
}
