package io.vmha.migration.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A TLS client with a valid member certificate that sends arbitrary bytes after the handshake: for malformed headers. */
final class RawTlsClient {
    private RawTlsClient() {}

    /** True if the server closed the connection within 15 s of the bytes being sent. */
    static boolean sendAndAwaitClose(TunnelTls tls, InetSocketAddress server, byte[] bytes) throws InterruptedException {
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<Channel>() {
                @Override protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(tls.clientContext().newHandler(ch.alloc()), new ChannelInboundHandlerAdapter() {
                        @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) evt).isSuccess()) {
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes));
                            }
                        }
                    });
                }
            }).connect(server).sync().channel();
            return channel.closeFuture().await(15, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }
}
