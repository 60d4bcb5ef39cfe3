package io.vmha.heartbeat;

import io.vmha.core.DiskView;
import io.vmha.core.FenceState;
import io.vmha.core.HeartbeatSlot;
import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;
import io.vmha.core.PoisonPill;
import io.vmha.core.SlotReading;
import io.vmha.core.port.Clock;
import io.vmha.core.port.Connection;
import io.vmha.core.port.ConnectionState;
import io.vmha.core.port.HeartbeatDisk;
import io.vmha.core.port.Journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link HeartbeatDisk} on a shared device for one host. After {@link #start()} a thread named
 * {@code vmha-heartbeat-<host>} runs a {@link HeartbeatRound} every interval. {@link #view()},
 * {@link #publish} and {@link #poison} only touch volatile fields and a queue: when storage stalls and
 * the thread hangs in the kernel, they still answer at once, and the view's {@code lastGoodRoundMillis}
 * stops advancing; the daemon decides from its age.
 */
public final class DiskHeartbeat implements HeartbeatDisk, AutoCloseable {
    private enum State { LATENT, STARTED, CLOSED }

    /** Runs the slot claim under a pool-wide lock; the agent passes a Curator InterProcessMutex around it. */
    @FunctionalInterface
    public interface ClaimGuard {
        int claim(Callable<Integer> claim) throws Exception;

        /** No lock: two hosts starting within one interval may race for one slot (see {@link SlotClaim}). */
        ClaimGuard NONE = Callable::call;
    }

    /** Opens the device; a test substitutes a device whose writes hang. */
    interface DeviceOpener {
        HeartbeatDevice open(Path path) throws IOException;
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Path path;
    private final String pool;
    private final String hostName;
    private final long incarnation;
    private final long intervalMillis;
    private final long timeoutMillis;
    private final Clock clock;
    private final Journal journal;
    private final DeviceOpener opener;
    private final ConcurrentLinkedQueue<PoisonPill> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicReference<PoisonPill> acknowledged = new AtomicReference<>();
    private final Object wake = new Object();
    private volatile HeartbeatSlot published;
    private volatile DiskView view;
    private volatile HeartbeatRound round;
    private volatile HeartbeatDevice device;
    private volatile int slot = -1;
    private Thread thread;
    /** Host-health hook: told each slot write's duration (µs), on the heartbeat thread. */
    private volatile java.util.function.LongConsumer writeListener = micros -> { };
    private volatile java.util.function.LongConsumer writeObserver = micros -> { };
    /** Monotonic start of the round in progress, {@link Connection#NEVER} between rounds: a hung write shows here. */
    private volatile long roundStartedAt = Connection.NEVER;

    public DiskHeartbeat(Path device, String pool, String hostName, long incarnation, long intervalMillis,
                         long timeoutMillis, Clock clock, Journal journal) {
        this(device, pool, hostName, incarnation, intervalMillis, timeoutMillis, clock, journal, HeartbeatDevice::new);
    }

    DiskHeartbeat(Path device, String pool, String hostName, long incarnation, long intervalMillis, long timeoutMillis,
                  Clock clock, Journal journal, DeviceOpener opener) {
        this.path = device;
        this.pool = Names.check("heartbeat.pool", pool);
        this.hostName = Names.check("host.name", hostName);
        if (incarnation < 0) throw new InvalidInputException("host.incarnation", incarnation, "0 or more");
        this.incarnation = incarnation;
        String timing = HeartbeatHeader.problem(pool, 1, 512, intervalMillis, timeoutMillis, 0);
        if (timing != null) throw new InvalidInputException("heartbeat.timing", intervalMillis + "/" + timeoutMillis + " ms", timing);
        this.intervalMillis = intervalMillis;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
        this.journal = journal;
        this.opener = opener;
        // Until the daemon publishes, the slot says LOST: nobody may count this host as coordinator-connected.
        this.published = new HeartbeatSlot(hostName, incarnation, 0, ConnectionState.LOST, 0, 0, FenceState.NONE, null);
        this.view = new DiskView(true, Connection.NEVER, new TreeMap<>(), Optional.empty(), 0);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Opens the device, checks its header, claims a slot without a pool-wide lock, and starts the rounds. */
    public void start() throws IOException { start(ClaimGuard.NONE); }

    /** As {@link #start()}, with the slot claim run inside {@code guard} (a lock held across hosts). */
    public void start(ClaimGuard guard) throws IOException {
        if (state.get() != State.LATENT) throw new IllegalStateException("heartbeat of " + hostName + " cannot be started: " + state.get());
        HeartbeatDevice d = opener.open(path);
        try {
            HeartbeatHeader header = checkHeader(d);
            SlotClaim claim = new SlotClaim(d, header.slotCount(), hostName, incarnation, intervalMillis, journal);
            int claimed;
            try {
                claimed = guard.claim(claim::claim);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                throw new IOException("heartbeat device " + path + ": claiming a slot for " + hostName + " failed: " + e, e);
            }
            if (!state.compareAndSet(State.LATENT, State.STARTED)) {
                throw new IllegalStateException("heartbeat of " + hostName + " cannot be started: " + state.get());
            }
            this.device = d;
            this.slot = claimed;
            this.round = new HeartbeatRound(d, header.slotCount(), claimed, hostName, incarnation, 0, timeoutMillis, clock,
                    journal, () -> published, outbox, acknowledged);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        journal.record(hostName, "heartbeat: writing slot " + slot + " of " + path + " every " + intervalMillis
                + " ms (incarnation " + incarnation + ", timeout " + timeoutMillis + " ms)");
        thread = new Thread(new Rounds(), "vmha-heartbeat-" + hostName);
        thread.setDaemon(true);
        thread.start();
    }

    private HeartbeatHeader checkHeader(HeartbeatDevice d) throws IOException {
        Decoded<HeartbeatHeader> h = HeartbeatFormat.decodeHeader(d.readBlock(HeartbeatFormat.headerBlock()));
        if (!h.isValid()) {
            throw new InvalidInputException("heartbeat.device", path.toString(), "a device formatted with `vmha heartbeat init`; "
                    + (h.isEmpty() ? "it is not formatted" : "its header is corrupt: " + h.problem()));
        }
        HeartbeatHeader header = h.value();
        if (!header.pool().equals(pool)) {
            throw new InvalidInputException("heartbeat.device", path.toString(), "the heartbeat device of pool \"" + pool
                    + "\"; it belongs to pool \"" + header.pool() + "\"");
        }
        // Every host must judge staleness with the same numbers the master's waits are derived from.
        if (header.intervalMillis() != intervalMillis || header.timeoutMillis() != timeoutMillis) {
            throw new InvalidInputException("heartbeat.timing", intervalMillis + "/" + timeoutMillis + " ms",
                    "the device's " + header.intervalMillis() + "/" + header.timeoutMillis() + " ms (interval/timeout) of " + path);
        }
        if (HeartbeatFormat.deviceBytes(header.slotCount()) > d.size()) {
            throw new IOException("heartbeat device " + path + " is " + d.size() + " bytes, smaller than its "
                    + header.slotCount() + " slots need (" + HeartbeatFormat.deviceBytes(header.slotCount()) + ")");
        }
        return header;
    }

    /** Stops the rounds; idempotent. Does not wait for a write stuck in the kernel: that thread closes the device. */
    @Override public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) return;
        synchronized (wake) { wake.notifyAll(); }
        try {
            thread.join(Math.max(intervalMillis, 1_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.record(hostName, "heartbeat: stopped" + (thread.isAlive() ? " (a disk operation is still pending)" : ""));
    }

    // ---------------------------------------------------------------- the port (never blocks)

    @Override public DiskView view() { return view; }

    @Override public void publish(HeartbeatSlot mine) {
        if (!mine.host().equals(hostName) || mine.incarnation() != incarnation) {
            throw new InvalidInputException("heartbeat.publish", mine.host() + "/" + mine.incarnation(),
                    "this host's own slot " + hostName + "/" + incarnation);
        }
        published = mine;
    }

    @Override public void poison(PoisonPill pill) {
        if (!pill.from().equals(hostName) || pill.target().equals(hostName)) {
            throw new InvalidInputException("heartbeat.poison", pill.from() + " -> " + pill.target(),
                    "a pill from " + hostName + " to another host");
        }
        outbox.add(pill);
    }

    /** After acting on {@code pill}: the next round clears this host's mailbox if it still holds that pill. */
    public void acknowledgePill(PoisonPill pill) { acknowledged.set(pill); }

    /** Every slot by index, including EMPTY slots and CORRUPT ones no host name is known for (for dump and metrics). */
    public SortedMap<Integer, SlotReading> slotsByIndex() {
        HeartbeatRound r = round;
        return r == null ? new TreeMap<>() : r.byIndex();
    }

    /** Call {@code listener} with the duration (µs) of every own-slot write from now on; it must not block. */
    public void onWrite(java.util.function.LongConsumer listener) { this.writeListener = listener; }

    /** Also call {@code observer} with every own-slot write duration (µs), independently of {@link #onWrite}; must not block. */
    public void observeWrites(java.util.function.LongConsumer observer) { this.writeObserver = observer; }

    /** Monotonic start of the round in progress, or {@link Connection#NEVER} between rounds. */
    public long roundRunningSince() { return roundStartedAt; }

    /** The slot this host writes; -1 before {@link #start()}. */
    public int slotIndex() { return slot; }

    /** The heartbeat thread: rounds every interval until closed, then closes the device. */
    private final class Rounds implements Runnable {
        @Override public void run() {
            try {
                while (state.get() == State.STARTED) {
                    long begin = clock.monotonicMillis();
                    roundStartedAt = begin;
                    try {
                        view = round.run(view);
                        writeListener.accept(view.writeMicros());
                        writeObserver.accept(view.writeMicros());
                    } catch (RuntimeException e) {
                        journal.record(hostName, "heartbeat: round failed: " + e);
                    } finally {
                        roundStartedAt = Connection.NEVER;
                    }
                    long rest = intervalMillis - (clock.monotonicMillis() - begin);
                    synchronized (wake) {
                        if (rest > 0 && state.get() == State.STARTED) wake.wait(rest);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    device.close();
                } catch (IOException e) {
                    journal.record(hostName, "heartbeat: closing " + path + ": " + e.getMessage());
                }
            }
        }
    }
}
