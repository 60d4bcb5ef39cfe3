package io.vmha.coordination;

import io.vmha.core.InvalidInputException;
import io.vmha.core.port.CoordinationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ZooKeeper calls made for the daemon loop, each waited for at most a bound. A Curator call can wait for a
 * connection once per retry (connection timeout × attempts: 20 s with the defaults), and a raw call sent to
 * a server that is cut off waits for the client's read timeout; meanwhile the loop would not step, would
 * not feed its fence guard, and the guard would fire at a deadline that a fresh step would have extended
 * (seen in the chaos runs: a ZooKeeper majority loss during a publish). Past the bound the call goes on in
 * the background (a ZooKeeper request cannot be withdrawn, and it may still land): the caller gets a
 * {@link CoordinationException} saying the outcome is unknown, which every caller already treats as
 * "re-read the view before retrying".
 */
final class BoundedCalls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedCalls.class);
    private static final int THREADS = 4;
    private static final int QUEUE = 256;

    /** A call that may throw the coordination port's exception. */
    interface Call<T> {
        T run() throws CoordinationException;
    }

    private final String host;
    private final long boundMillis;
    private final ThreadPoolExecutor calls;
    private final ThreadPoolExecutor background;

    BoundedCalls(String host, long boundMillis) {
        if (boundMillis <= 0) throw new InvalidInputException("coordination.call-bound-ms", boundMillis, "a positive number of ms");
        this.host = host;
        this.boundMillis = boundMillis;
        this.calls = pool("vmha-zk-call-" + host, THREADS);
        // One thread: events keep their order.
        this.background = pool("vmha-zk-background-" + host, 1);
    }

    long boundMillis() { return boundMillis; }

    /** Runs {@code call} and waits at most the bound for it. */
    <T> T call(String what, Call<T> call) throws CoordinationException {
        Future<T> future;
        try {
            future = calls.submit((Callable<T>) call::run);
        } catch (RejectedExecutionException e) {
            throw new CoordinationException(host + ": " + what + " not attempted: " + THREADS
                    + " earlier ZooKeeper calls are still waiting (or coordination is closing)");
        }
        try {
            return future.get(boundMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new CoordinationException(host + ": " + what + " got no answer within " + boundMillis
                    + " ms; it may still land, so the outcome is unknown: re-read before retrying");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinationException(host + ": " + what + " interrupted; the outcome is unknown", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CoordinationException ce) throw ce;
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new CoordinationException(host + ": " + what + " failed: " + cause, cause);
        }
    }

    /** Runs {@code task} later, in submission order, never on the caller's thread; dropped (logged) when backed up. */
    void background(String what, Runnable task) {
        try {
            background.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.warn("{}: {} dropped: {} calls already waiting for ZooKeeper (or closing)", host, what, QUEUE);
        }
    }

    @Override
    public void close() {
        calls.shutdownNow();
        background.shutdown();
    }

    private static ThreadPoolExecutor pool(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads == 1 ? QUEUE : THREADS), r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
