package io.vmha.migration.tunnel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tunnel with real TLS on real sockets, on both engines: what it carries, and every connection it must refuse. */
class TunnelTest {
    private static final Set<String> POOL = Set.of("src", "dst", "bystander");
    private TunnelFixture fixture;

    @BeforeEach void setUp() throws Exception {
        fixture = new TunnelFixture();
    }

    @AfterEach void tearDown() throws Exception {
        fixture.journal.lines.forEach(System.out::println);
        fixture.close();
    }

    @Test void theDefaultEngineHereIsBoringSsl() throws Exception {
        assertEquals("openssl", TunnelTls.load(fixture.pool, "src").engine());
        assertEquals(TunnelTls.Engine.OPENSSL, TunnelTls.availableEngine());
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void carriesBytesBothWaysOnce(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", engine), POOL::contains);
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelClient client = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server),
                "m1", token, POOL::contains));
        Socket source = fixture.hypervisor(client);
        byte[] stream = new byte[8 * 1024 * 1024 + 17];
        new Random(1).nextBytes(stream);
        java.io.OutputStream out = source.getOutputStream();
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> TunnelFixture.write(out, stream));
        try (Socket target = endpoint.accept()) {
            target.setSoTimeout(15_000);
            byte[] received = TunnelFixture.readFully(target.getInputStream(), stream.length);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(stream), MessageDigest.getInstance("SHA-256").digest(received));
            sending.get(15, TimeUnit.SECONDS);
            target.getOutputStream().write("reply".getBytes());
            target.getOutputStream().flush();
            assertEquals("reply", new String(TunnelFixture.readFully(source.getInputStream(), 5)));
            source.close(); // closing one side closes the other
            assertEquals(-1, target.getInputStream().read());
        }
        assertEquals(stream.length, client.bytesRelayed());
        assertEquals(stream.length, server.bytesRelayed());
        assertTrue(client.failure().isEmpty(), client.failure().toString());
        fixture.journal.await("dst: tunnel: admitted migration m1 from src");
        assertTrue(client.isAdmitted());
    }

    @Test void mixedEnginesInteroperate() throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", TunnelTls.Engine.OPENSSL), POOL::contains);
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelClient client = fixture.closeLater(TunnelClient.open(fixture.tls("src", TunnelTls.Engine.JDK), "dst",
                fixture.address(server), "m1", token, POOL::contains));
        fixture.hypervisor(client).getOutputStream().write("hello".getBytes());
        try (Socket target = endpoint.accept()) {
            assertEquals("hello", new String(TunnelFixture.readFully(target.getInputStream(), 5)));
        }
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void refusesAClientCertificateFromAnotherCa(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", engine), POOL::contains);
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelTls impostor = fixture.impostor("src", engine); // trusts the pool CA, presents a cert of another CA
        TunnelClient client = fixture.closeLater(TunnelClient.open(impostor, "dst", fixture.address(server), "m1", token, POOL::contains));
        assertRefused(client, endpoint, "TLS handshake failed");
        assertFalse(fixture.journal.has("certificate names"), "the impostor's names were never trusted");
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void theClientRefusesAServerCertificateFromAnotherCa(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.impostor("dst", engine), POOL::contains);
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelClient client = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server), "m1",
                token, POOL::contains));
        fixture.hypervisor(client);
        TunnelFixture.await("client failure", () -> client.failure().isPresent());
        assertTrue(client.failure().get().contains("TLS handshake with dst failed"), client.failure().get());
        assertNoConnection(endpoint);
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void refusesAValidCertificateOfAHostThatIsNotAMember(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", engine), host -> !host.equals("src"));
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelClient client = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server), "m1",
                token, POOL::contains));
        assertRefused(client, endpoint, "certificate names [src]: none is a current member of the pool");
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void theClientRefusesATargetThatIsNotAMemberOrNotTheTarget(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", engine), POOL::contains);
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelClient notMember = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server),
                "m1", token, host -> !host.equals("dst")));
        fixture.hypervisor(notMember);
        TunnelFixture.await("client failure", () -> notMember.failure().isPresent());
        assertTrue(notMember.failure().get().contains("target dst is not a current member"), notMember.failure().get());

        TunnelClient wrongHost = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "bystander", fixture.address(server),
                "m1", token, POOL::contains));
        fixture.hypervisor(wrongHost);
        TunnelFixture.await("client failure", () -> wrongHost.failure().isPresent());
        assertTrue(wrongHost.failure().get().contains("target certificate names [dst], not the expected host bystander"),
                wrongHost.failure().get());
        assertNoConnection(endpoint);
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void refusesAReplayedToken(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", engine), POOL::contains);
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelClient first = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server), "m1",
                token, POOL::contains));
        fixture.hypervisor(first).getOutputStream().write(1);
        endpoint.accept().close();
        TunnelClient replay = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server), "m1",
                token, POOL::contains));
        assertRefused(replay, endpoint, "token of migration m1 was already used: replay refused");
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void refusesAWrongTokenAndAnUnknownMigration(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", engine), POOL::contains);
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelClient wrong = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server), "m1",
                MigrationTokens.newToken(), POOL::contains));
        assertRefused(wrong, endpoint, "wrong token for migration m1");
        TunnelClient unknown = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server), "m2",
                token, POOL::contains));
        assertRefused(unknown, endpoint, "unknown migration id m2");
        server.forget("m1");
        TunnelClient forgotten = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server), "m1",
                token, POOL::contains));
        assertRefused(forgotten, endpoint, "unknown migration id m1");
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void refusesAMemberThatIsNotTheExpectedSourceWithoutBurningTheToken(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", engine), POOL::contains);
        ServerSocket endpoint = fixture.endpoint();
        String token = MigrationTokens.newToken();
        server.expect("m1", token, "src", endpoint.getLocalPort());
        TunnelClient bystander = fixture.closeLater(TunnelClient.open(fixture.tls("bystander", engine), "dst", fixture.address(server),
                "m1", token, POOL::contains));
        assertRefused(bystander, endpoint, "source certificate names [bystander], not the expected host src");
        TunnelClient source = fixture.closeLater(TunnelClient.open(fixture.tls("src", engine), "dst", fixture.address(server), "m1",
                token, POOL::contains));
        fixture.hypervisor(source).getOutputStream().write(7);
        try (Socket target = endpoint.accept()) {
            assertEquals(7, target.getInputStream().read());
        }
    }

    @ParameterizedTest @EnumSource(TunnelTls.Engine.class)
    void closesOnMalformedHeaderBytesNamingWhatWasWrong(TunnelTls.Engine engine) throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", engine), POOL::contains);
        TunnelTls src = fixture.tls("src", engine);
        assertTrue(RawTlsClient.sendAndAwaitClose(src, fixture.address(server), new byte[] {'V', 0, 1, 2, '\n'}));
        fixture.journal.await("bad header: header byte 1 is 0x00; expected printable ASCII");
        assertTrue(RawTlsClient.sendAndAwaitClose(src, fixture.address(server), "A".repeat(300).getBytes()));
        fixture.journal.await("bad header: no end of line within the first 256 bytes");
        assertTrue(RawTlsClient.sendAndAwaitClose(src, fixture.address(server), "GET / HTTP/1.1\n".getBytes()));
        fixture.journal.await("bad header: header of 3 field(s) starting \"GET\" is not 'VMHA-MIGRATE/1 <id> <token>'");
        assertTrue(RawTlsClient.sendAndAwaitClose(src, fixture.address(server), "VMHA-MIGRATE/1 m1 short\n".getBytes()));
        fixture.journal.await("bad header: token (length 5) is not 16 to 128 base64url characters");
        assertFalse(fixture.journal.has("admitted"));
    }

    @Test void expectRefusesBadArguments() throws Exception {
        TunnelServer server = fixture.server(fixture.tls("dst", TunnelTls.Engine.OPENSSL), POOL::contains);
        assertThrows(IllegalArgumentException.class, () -> server.expect("bad id", MigrationTokens.newToken(), "src", 1));
        assertThrows(IllegalArgumentException.class, () -> server.expect("m1", "short", "src", 1));
        assertThrows(IllegalArgumentException.class, () -> server.expect("m1", MigrationTokens.newToken(), "a/b", 1));
        assertThrows(IllegalArgumentException.class, () -> server.expect("m1", MigrationTokens.newToken(), "src", 0));
    }

    private void assertRefused(TunnelClient client, ServerSocket endpoint, String reason) throws Exception {
        Socket source = fixture.hypervisor(client);
        source.getOutputStream().write("guest memory".getBytes());
        fixture.journal.await(reason);
        TunnelFixture.await("the client to report the refusal", () -> client.failure().isPresent());
        assertClosed(source.getInputStream());
        assertFalse(client.isAdmitted());
        assertNoConnection(endpoint);
    }

    /** EOF, or a reset when the hypervisor's unread bytes were still queued at the close: closed either way. */
    private static void assertClosed(InputStream in) {
        try {
            assertEquals(-1, in.read(), "the hypervisor's connection is closed");
        } catch (java.net.SocketException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("reset"), e.toString());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertNoConnection(ServerSocket endpoint) throws Exception {
        endpoint.setSoTimeout(200);
        try (Socket unexpected = endpoint.accept()) {
            throw new AssertionError("the local endpoint was connected: " + unexpected);
        } catch (SocketTimeoutException expected) {
            // nothing reached the hypervisor's incoming endpoint
        } finally {
            endpoint.setSoTimeout(15_000);
        }
    }
}
