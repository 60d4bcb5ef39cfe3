package io.vmha.migration.tunnel;

import io.vmha.core.InvalidInputException;
import io.vmha.core.port.HypervisorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MigrationTunnel port on Netty: two hosts' adapters carry one migration and then forget it. */
class NettyMigrationTunnelTest {
    private static final Set<String> POOL = Set.of("src", "dst");
    private TunnelFixture fixture;

    @BeforeEach void setUp() throws Exception {
        fixture = new TunnelFixture();
    }

    @AfterEach void tearDown() throws Exception {
        fixture.close();
    }

    @Test void sourceAndTargetAdaptersCarryAMigration() throws Exception {
        NettyMigrationTunnel dst = fixture.closeLater(new NettyMigrationTunnel(fixture.tls("dst", TunnelTls.Engine.OPENSSL),
                "127.0.0.1", 0, "127.0.0.1", POOL::contains, fixture.journal));
        NettyMigrationTunnel src = fixture.closeLater(new NettyMigrationTunnel(fixture.tls("src", TunnelTls.Engine.OPENSSL),
                "127.0.0.1", 0, "127.0.0.1", POOL::contains, fixture.journal));
        dst.start();
        src.start();
        assertTrue(dst.endpoint().matches("127\\.0\\.0\\.1:\\d+ openssl"), dst.endpoint());
        ServerSocket incoming = fixture.endpoint();
        String token = MigrationTokens.newToken();
        dst.expect("m1", token, "src", incoming.getLocalPort());
        int localPort = src.open("m1", token, "dst", dst.endpoint());
        try (Socket hypervisor = new Socket("127.0.0.1", localPort); Socket target = incoming.accept()) {
            hypervisor.getOutputStream().write("RAM".getBytes());
            assertEquals("RAM", new String(TunnelFixture.readFully(target.getInputStream(), 3)));
            TunnelFixture.await("bytes counted", () -> src.bytesSent("m1") == 3);
        }
        assertEquals("", src.failure("m1"));
        src.close("m1");
        dst.close("m1");
        assertEquals(-1, src.bytesSent("m1"));
        src.close("m1"); // idempotent
    }

    @Test void badAddressesAreNamed() {
        assertThrows(InvalidInputException.class, () -> NettyMigrationTunnel.parse("nohost"));
        assertThrows(InvalidInputException.class, () -> NettyMigrationTunnel.parse("h:0"));
        assertThrows(InvalidInputException.class, () -> NettyMigrationTunnel.parse("h:x openssl"));
        assertEquals(7010, NettyMigrationTunnel.parse("10.0.0.5:7010 openssl").getPort());
        assertTrue(NettyMigrationTunnel.parse("[::1]:7010").getAddress().isLoopbackAddress());
    }

    @Test void openWithABadIdIsAHypervisorException() throws Exception {
        NettyMigrationTunnel src = fixture.closeLater(new NettyMigrationTunnel(fixture.tls("src", TunnelTls.Engine.OPENSSL),
                "127.0.0.1", 0, "127.0.0.1", POOL::contains, fixture.journal));
        src.start();
        assertThrows(HypervisorException.class, () -> src.open("bad id", MigrationTokens.newToken(), "dst", "127.0.0.1:1"));
    }
}
