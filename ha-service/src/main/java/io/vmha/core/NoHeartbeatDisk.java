package io.vmha.core;

import io.vmha.core.port.HeartbeatDisk;

/** A pool without a heartbeat disk: the coordinator lease alone decides, as DiskView.none() says. */
public final class NoHeartbeatDisk implements HeartbeatDisk {
    @Override public DiskView view() { return DiskView.none(); }

    @Override public void publish(HeartbeatSlot mine) { }

    @Override public void acknowledgePill(PoisonPill pill) { }

    @Override public void poison(PoisonPill pill) {
        throw new IllegalStateException("no heartbeat disk: a poison pill for " + pill.target() + " cannot be delivered");
    }
}
