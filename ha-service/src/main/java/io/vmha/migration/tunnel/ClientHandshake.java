package io.vmha.migration.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one tunnel connection until the target admits it: after the handshake the server's certificate
 * must name the target host, a current member; then the header goes out and the client waits for "OK". Only then are
 * the hypervisor's bytes (held back by autoRead off on the local connection) read and relayed.
 */
final class ClientHandshake extends ChannelInboundHandlerAdapter {
    private final TunnelClient client;
    private final SslHandler ssl; // null: the plaintext relay of the benchmark
    private final Channel local;
    private HeaderReader reader;
    private boolean finished;
    private ScheduledFuture<?> timeout;

    ClientHandshake(TunnelClient client, SslHandler ssl, Channel local) {
        this.client = client;
        this.ssl = ssl;
        this.local = local;
    }

    @Override public void channelActive(ChannelHandlerContext ctx) {
        reader = new HeaderReader(ctx.alloc().compositeBuffer(), 16);
        timeout = ctx.executor().schedule(() -> fail(ctx, "target " + client.targetHost() + " did not admit the tunnel within "
                + ServerAdmission.HEADER_TIMEOUT_SECONDS + " s"), ServerAdmission.HEADER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
        if (ssl == null) sendHeader(ctx);
        ctx.read();
    }

    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent && !finished) {
            SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) event;
            if (!done.isSuccess()) {
                fail(ctx, "TLS handshake with " + client.targetHost() + " failed: " + ServerAdmission.describe(done.cause()));
                return;
            }
            try {
                PeerCheck.requireMember(PeerCheck.peerNames(ssl), client.targetHost(), client.members(), "target");
            } catch (PeerCheck.Refused e) {
                fail(ctx, "refused the target: " + e.getMessage());
                return;
            }
            sendHeader(ctx);
        }
        ctx.fireUserEventTriggered(event);
    }

    private void sendHeader(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new MigrationHeader(client.migrationId(), client.token()).encode()));
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
            fail(ctx, "target answered no OK: " + e.getMessage());
            return;
        }
        if (line == null) return;
        if (!Arrays.equals(line, "OK".getBytes(StandardCharsets.US_ASCII))) {
            fail(ctx, "target answered \"" + new String(line, StandardCharsets.US_ASCII).replaceAll("[^ -~]", "?") + "\" instead of OK");
            return;
        }
        finished = true;
        timeout.cancel(false);
        ByteBuf rest = reader.remainder();
        if (rest != null) local.writeAndFlush(rest);
        ctx.pipeline().remove(this);
        client.admitted();
        RelayHandler.connect(local, ctx.channel(), client.outbound(), RelayHandler.Meter.NONE,
                cause -> client.failed("relay failed: " + ServerAdmission.describe(cause)));
    }

    @Override public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!finished) ctx.read();
        ctx.fireChannelReadComplete();
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "target " + client.targetHost() + " closed the tunnel before admitting it (the target's journal says why)");
        ctx.fireChannelInactive();
    }

    @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, ServerAdmission.describe(cause));
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (finished) return;
        finished = true;
        if (timeout != null) timeout.cancel(false);
        if (reader != null) reader.release();
        client.failed(reason);
        ctx.close();
        local.close();
    }
}
