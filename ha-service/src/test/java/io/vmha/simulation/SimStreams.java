package io.vmha.simulation;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The pool's migration tunnels on the virtual clock: what each target expects (migration id → token and source,
 * admitted once, like the real tunnel), and the streams in flight. A stream copies the VM's memory at
 * {@link #rateMibPerSecond} in ticks; it breaks when either end's machine crashes, either daemon (which carries the
 * tunnel) dies, or {@code cut-tunnel} cuts it; a paused daemon stalls it.
 */
final class SimStreams {
    static final long TICK_MILLIS = 250;

    record Expectation(String target, String token, String source) {}

    /** One stream: the two ends and how far it got. */
    static final class Stream {
        final String vm;
        final String id;
        final SimMigration source;
        final SimMigration target;
        final long totalBytes;
        long sentBytes;
        boolean over;

        Stream(String vm, String id, SimMigration source, SimMigration target, long totalBytes) {
            this.vm = vm;
            this.id = id;
            this.source = source;
            this.target = target;
            this.totalBytes = totalBytes;
        }
    }

    private final Simulation sim;
    long rateMibPerSecond = 512;
    private final SortedMap<String, Expectation> expected = new TreeMap<>();
    private final SortedMap<String, Stream> streams = new TreeMap<>();

    SimStreams(Simulation sim) { this.sim = sim; }

    void expect(String id, String target, String token, String source) { expected.put(id, new Expectation(target, token, source)); }

    void forget(String id) { expected.remove(id); }

    /** The source connects: admitted only with the right token, from the expected source, once. */
    String admit(String id, String target, String token, String source) {
        Expectation e = expected.get(id);
        if (e == null) return "no migration " + id + " expected on " + target + " (or its token was used already)";
        if (!e.target().equals(target)) return "migration " + id + " is expected on " + e.target() + ", not " + target;
        if (!e.token().equals(token)) return "wrong token for migration " + id;
        if (!e.source().equals(source)) return "migration " + id + " is expected from " + e.source() + ", not " + source;
        expected.remove(id); // burnt: a replay is refused
        return null;
    }

    void begin(Stream s) {
        streams.put(s.vm, s);
        sim.scheduler().after(TICK_MILLIS, "stream " + s.id, () -> tick(s));
    }

    private void tick(Stream s) {
        if (s.over) return;
        if (!s.source.daemonAlive() || !s.target.daemonAlive()) {
            breakStream(s, "the tunnel's daemon died");
            return;
        }
        if (!s.source.daemonPaused() && !s.target.daemonPaused()) {
            s.sentBytes = Math.min(s.totalBytes, s.sentBytes + rateMibPerSecond * (1L << 20) * TICK_MILLIS / 1000);
        }
        if (s.sentBytes >= s.totalBytes) {
            s.over = true;
            streams.remove(s.vm);
            s.source.completed(s);
            s.target.loaded(s);
            return;
        }
        s.source.progress(s);
        sim.scheduler().after(TICK_MILLIS, "stream " + s.id, () -> tick(s));
    }

    /** cut-tunnel VM: the VM's stream breaks (both ends see it fail). */
    boolean cut(String vm) {
        Stream s = streams.get(vm);
        if (s == null) return false;
        breakStream(s, "tunnel connection cut");
        return true;
    }

    /** Either end gave up (cancel, stop, crash): the other end sees the stream break. */
    void breakStream(Stream s, String why) {
        if (s.over) return;
        s.over = true;
        streams.remove(s.vm);
        s.source.broken(s, why);
        s.target.broken(s, why);
    }

    Stream streamOf(String vm, String id) {
        Stream s = streams.get(vm);
        return s != null && s.id.equals(id) ? s : null;
    }
}
