package io.vmha.core;

/** A value read from the coordinator with the version that a compare-and-set must present. */
public record Versioned<T>(T value, int version) {
    /** The expected version that means "create: the node must not exist yet". */
    public static final int ABSENT = -1;
}
