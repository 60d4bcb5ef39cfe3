package io.vmha.migration.tunnel;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/** Netty plumbing shared by server and client: native epoll when it loads (else NIO), buffers and water marks. */
final class TunnelTransport {
    /** Event loop threads are named with this prefix: {@code vmha bench tunnel} counts their CPU. */
    static final String THREAD_PREFIX = "vmha-tunnel";
    /**
     * A relay stops reading from one side while the other holds more than HIGH bytes unsent, and resumes below LOW:
     * enough in flight to keep a 10 Gbit/s link busy, little enough that many migrations cannot exhaust memory.
     */
    static final int LOW_WATER_MARK = 512 * 1024;
    static final int HIGH_WATER_MARK = 2 * 1024 * 1024;
    /** Reads grow to 256 KiB: fewer syscalls and fewer, fuller TLS records per flush. */
    private static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(16 * 1024, 64 * 1024, 256 * 1024);

    private TunnelTransport() {}

    static boolean nativeEpoll() {
        return Epoll.isAvailable();
    }

    /** "epoll" or "nio". */
    static String name() {
        return nativeEpoll() ? "epoll" : "nio";
    }

    static EventLoopGroup group(int threads, String role) {
        DefaultThreadFactory threadsNamed = new DefaultThreadFactory(THREAD_PREFIX + "-" + role, true);
        return nativeEpoll() ? new EpollEventLoopGroup(threads, threadsNamed) : new NioEventLoopGroup(threads, threadsNamed);
    }

    static Class<? extends ServerChannel> serverChannel() {
        return nativeEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends Channel> channel() {
        return nativeEpoll() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Options of every connected channel; autoRead starts off: each side reads only once the relay is wired. */
    static <B extends AbstractBootstrap<B, ?>> B connectionOptions(B bootstrap) {
        return bootstrap.option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.RCVBUF_ALLOCATOR, READS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK));
    }

    static ServerBootstrap acceptedOptions(ServerBootstrap bootstrap) {
        return bootstrap.option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, READS)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK));
    }

    /**
     * The JDK engine's AES-GCM hashes direct buffers block by block in Java (JDK 17 GHASH.processBlocksDirect, seen
     * hot in thread dumps of a slow JDK-engine relay); heap arrays get the intrinsics. So its TLS channels use heap buffers.
     */
    static void preferHeapForJdkEngine(Channel channel, TunnelTls tls) {
        if (tls.engine().equals(TunnelTls.Engine.JDK.label())) channel.config().setAllocator(HEAP);
    }

    private static final io.netty.buffer.PooledByteBufAllocator HEAP = new io.netty.buffer.PooledByteBufAllocator(false);

    static void shutdown(EventLoopGroup group) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
