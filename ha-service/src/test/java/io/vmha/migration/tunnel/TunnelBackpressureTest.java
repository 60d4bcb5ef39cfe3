package io.vmha.migration.tunnel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A slow incoming endpoint must not make the tunnel buffer without bound: the relay stops reading instead. */
class TunnelBackpressureTest {
    private static final Set<String> POOL = Set.of("src", "dst");
    private TunnelFixture fixture;

    @BeforeEach void setUp() throws Exception {
        fixture = new TunnelFixture();
    }

    @AfterEach void tearDown() throws Exception {
        fixture.close();
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void aSlowSinkKeepsTheServersUnsentBytesBounded(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", engine), POOL::contains);
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelClient client = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server), "m1",
                token, POOL::contains));
        Socket source = fixture.hypervisor(client);
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> { // as fast as it can: far more than the sink will take during the test
            byte[] chunk = new byte[256 * 1024];
            new Random(2).nextBytes(chunk);
            try (OutputStream out = source.getOutputStream()) {
                for (int i = 0; i < 1024; i++) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (Exception e) {
                // the test closes the socket when done
            }
        }, "fast-source");
        writer.setDaemon(true);
        writer.start();
        long read = 0;
        try (Socket sink = endpoint.accept()) {
            sink.setReceiveBufferSize(64 * 1024);
            InputStream in = sink.getInputStream();
            byte[] buffer = new byte[32 * 1024];
            while (read < 12L * 1024 * 1024) { // slow: about 6 MB/s, whatever the machine
                int n = in.read(buffer);
                if (n < 0) throw new AssertionError("stream ended after " + read + " bytes");
                read += n;
                Thread.sleep(5);
            }
        } finally {
            source.close();
            writer.join(10_000);
        }
        long pending = server.maxPendingBytes();
        System.out.println(engine + ": max unsent bytes at the server " + pending + ", source wrote " + written.get() + ", sink read " + read);
        // The server held at least its low water mark for the slow sink (so the test did push it), and never much more than
        // its high mark plus one read's worth: the relay stopped reading the tunnel instead of buffering.
        assertTrue(pending >= TunnelTransport.LOW_WATER_MARK, "the sink was never slow enough to fill the relay: " + pending);
        assertTrue(pending <= TunnelTransport.HIGH_WATER_MARK + 1024 * 1024, "unsent bytes grew to " + pending);
        assertTrue(written.get() > read, "the source wrote " + written.get() + ", the sink read " + read);
    }
}
