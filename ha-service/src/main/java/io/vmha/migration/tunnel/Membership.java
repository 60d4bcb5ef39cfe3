package io.vmha.migration.tunnel;

/**
 * Who is in the pool right now (the agent answers from ZooKeeper's {@code hosts/}). Asked at every handshake, on the
 * event loop: must answer quickly from a local view and must not throw.
 */
@FunctionalInterface
public interface Membership {
    boolean isMember(String host);
}
