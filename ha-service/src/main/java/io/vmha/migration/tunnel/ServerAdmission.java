package io.vmha.migration.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one tunnel connection until it is admitted: TLS handshake done (chain to the pool CA checked by
 * the engine), the peer names a current member, then one header line whose migration id was {@code expect}ed, whose
 * token matches (constant time) and is still unused, from the expected source host. Only then is the local endpoint
 * connected and the relay wired; anything else closes the connection with a journal line saying why.
 */
final class ServerAdmission extends ChannelInboundHandlerAdapter {
    static final long HEADER_TIMEOUT_SECONDS = 10;

    private final TunnelServer server;
    private final SslHandler ssl; // null: the plaintext relay of the benchmark
    private HeaderReader reader;
    private List<String> peerNames = List.of();
    private String peerHost = "unauthenticated";
    private boolean finished; // admitted or refused: no more handshake work
    private ScheduledFuture<?> timeout;

    ServerAdmission(TunnelServer server, SslHandler ssl) {
        this.server = server;
        this.ssl = ssl;
    }

    @Override public void channelActive(ChannelHandlerContext ctx) {
        reader = new HeaderReader(ctx.alloc().compositeBuffer(), MigrationHeader.MAX_BYTES);
        timeout = ctx.executor().schedule(() -> refuse(ctx, "no " + (ssl == null ? "" : "TLS handshake and ") + "header within "
                + HEADER_TIMEOUT_SECONDS + " s"), HEADER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
        ctx.read();
    }

    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent && !finished) {
            SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) event;
            if (!done.isSuccess()) {
                refuse(ctx, "TLS handshake failed: " + describe(done.cause()));
                return;
            }
            try {
                peerNames = PeerCheck.peerNames(ssl);
                peerHost = PeerCheck.firstMember(peerNames, server.members());
            } catch (PeerCheck.Refused e) {
                refuse(ctx, e.getMessage());
                return;
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished || !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        byte[] line;
        try {
            line = reader.add((ByteBuf) msg);
        } catch (PeerCheck.Refused e) {
            refuse(ctx, "bad header: " + e.getMessage());
            return;
        }
        if (line == null) return;
        try {
            admit(ctx, MigrationHeader.parse(line));
        } catch (MigrationHeader.Malformed e) {
            refuse(ctx, "bad header: " + e.getMessage());
        } catch (PeerCheck.Refused e) {
            refuse(ctx, e.getMessage());
        }
    }

    @Override public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!finished) ctx.read(); // autoRead is off until admitted: keep reading the handshake and header
        ctx.fireChannelReadComplete();
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        refuse(ctx, "connection closed before it was admitted");
        ctx.fireChannelInactive();
    }

    @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        refuse(ctx, describe(cause));
    }

    private void admit(ChannelHandlerContext ctx, MigrationHeader header) throws PeerCheck.Refused {
        String id = header.migrationId();
        TunnelServer.Expectation expected = server.expectation(id);
        if (expected == null) {
            throw new PeerCheck.Refused(server.wasUsed(id) ? "token of migration " + id + " was already used: replay refused"
                    : "unknown migration id " + id + " (never expected, or forgotten)");
        }
        if (!MigrationTokens.sameToken(expected.token(), header.token())) throw new PeerCheck.Refused("wrong token for migration " + id);
        if (ssl != null) PeerCheck.requireMember(peerNames, expected.sourceHost(), server.members(), "source");
        if (!server.burn(expected)) throw new PeerCheck.Refused("token of migration " + id + " was already used: replay refused");
        finished = true;
        timeout.cancel(false);
        Channel tunnel = ctx.channel();
        ChannelFuture connecting = TunnelTransport.connectionOptions(new Bootstrap()).group(tunnel.eventLoop())
                .channel(TunnelTransport.channel()).handler(new ChannelInboundHandlerAdapter())
                .connect(new InetSocketAddress("127.0.0.1", expected.localPort()));
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                server.journal("refused migration " + id + " from " + peerHost + " (" + tunnel.remoteAddress()
                        + "): cannot connect to the local endpoint 127.0.0.1:" + expected.localPort() + ": " + describe(f.cause()));
                reader.release();
                tunnel.close();
                return;
            }
            Channel local = connecting.channel();
            server.journal("admitted migration " + id + " from " + peerHost + " (" + tunnel.remoteAddress() + ") to 127.0.0.1:"
                    + expected.localPort() + (ssl == null ? " (plaintext benchmark relay)" : ""));
            server.relayStarted(id, tunnel, local);
            tunnel.writeAndFlush(Unpooled.wrappedBuffer(MigrationHeader.ADMITTED));
            ByteBuf rest = reader.remainder();
            if (rest != null) local.writeAndFlush(rest);
            ctx.pipeline().remove(this);
            RelayHandler.connect(tunnel, local, server.inbound(), RelayHandler.Meter.NONE,
                    cause -> server.journal("migration " + id + " relay failed: " + describe(cause)));
        });
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        if (finished) return;
        finished = true;
        if (timeout != null) timeout.cancel(false);
        if (reader != null) reader.release();
        server.journal("refused connection from " + ctx.channel().remoteAddress()
                + (peerNames.isEmpty() ? "" : " (certificate names " + peerNames + ")") + ": " + reason);
        ctx.close();
    }

    /** The exception that says what happened (not Netty's wrapper), plus its root cause: "General OpenSslEngine problem" alone says nothing. */
    static String describe(Throwable cause) {
        Throwable top = cause;
        while (top instanceof DecoderException && top.getCause() != null) top = top.getCause();
        Throwable root = top;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String text = top.getClass().getSimpleName() + ": " + top.getMessage();
        return root == top || String.valueOf(top.getMessage()).contains(String.valueOf(root.getMessage())) ? text
                : text + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
