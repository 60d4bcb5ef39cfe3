package io.vmha.simulation;

import io.vmha.core.HealthPolicy;
import io.vmha.core.HealthReading;
import io.vmha.core.port.HealthReadings;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * One simulated machine's NIC links and reachable addresses (machine facts: they survive a daemon restart),
 * and the daemon's health samplers, which read them every monitor interval on the virtual clock and queue
 * readings for {@code HostAgent} to drain, like the real {@code HostHealthRunner}. A paused daemon samples nothing.
 */
final class SimHealth implements HealthReadings {
    private final String host;
    private final HealthPolicy policy;
    private final Simulation sim;
    private final Set<String> downNics = new TreeSet<>();
    private final Set<String> unreachable = new TreeSet<>();
    private final List<HealthReading> queue = new ArrayList<>();

    SimHealth(String host, HealthPolicy policy, Simulation sim) {
        this.host = host;
        this.policy = policy;
        this.sim = sim;
    }

    HealthPolicy policy() { return policy; }

    /** nic-down / nic-up: the link changes now; the monitor notices at its next sample. */
    void link(String nic, boolean up) {
        if (policy.nics().stream().noneMatch(n -> n.name().equals(nic))) {
            throw new IllegalArgumentException("host " + host + " has no monitored NIC " + nic);
        }
        if (up) downNics.remove(nic);
        else downNics.add(nic);
    }

    /** unreachable / reachable: probes of {@code address} fail, or answer again. */
    void reach(String address, boolean ok) {
        if (policy.reachability().stream().noneMatch(r -> r.address().equals(address))) {
            throw new IllegalArgumentException("host " + host + " does not probe " + address);
        }
        if (ok) unreachable.remove(address);
        else unreachable.add(address);
    }

    /**
     * A new daemon's samplers: each monitor with a random phase within its interval, stopped when {@code alive}
     * (the daemon generation) says the daemon is gone; none runs while {@code paused}.
     */
    void startSamplers(LongSupplier generation, long inc, java.util.function.BooleanSupplier paused) {
        queue.clear();
        for (HealthPolicy.Nic n : policy.nics()) {
            long phase = sim.random().nextInt((int) n.intervalMs());
            every(phase, n.intervalMs(), host + " nic " + n.name(), generation, inc, paused, now ->
                    queue.add(new HealthReading.NicLink(n.name(), !downNics.contains(n.name()),
                            downNics.contains(n.name()) ? "operstate down, carrier 0" : "", now)));
        }
        for (HealthPolicy.Reachability r : policy.reachability()) {
            long phase = sim.random().nextInt((int) r.intervalMs());
            // A failed probe is read when its timeout expires; a good one at once.
            every(phase, r.intervalMs(), host + " probe " + r.address(), generation, inc, paused, now -> {
                boolean ok = !unreachable.contains(r.address());
                if (ok) {
                    queue.add(new HealthReading.Reachable(r.address(), true, "echo reply", now));
                } else {
                    sim.scheduler().after(r.timeoutMs(), host + " probe timeout", () -> {
                        if (generation.getAsLong() == inc) {
                            queue.add(new HealthReading.Reachable(r.address(), false,
                                    "no echo reply within " + r.timeoutMs() + " ms", sim.scheduler().now()));
                        }
                    });
                }
            });
        }
    }

    private void every(long delay, long period, String what, LongSupplier generation, long inc,
                       java.util.function.BooleanSupplier paused, java.util.function.LongConsumer sample) {
        sim.scheduler().after(delay, what, () -> {
            if (generation.getAsLong() != inc) return;
            if (!paused.getAsBoolean()) sample.accept(sim.scheduler().now());
            every(period, period, what, generation, inc, paused, sample);
        });
    }

    @Override public List<HealthReading> drain() {
        List<HealthReading> out = List.copyOf(queue);
        queue.clear();
        return out;
    }
}
