package io.vmha.heartbeat;

import io.vmha.core.SlotReading;

/**
 * What a decoder made of one block: a VALID value, an EMPTY block (all zeros: never written or cleared),
 * or CORRUPT with the precise problem. Decoders return this instead of throwing, because a corrupt block
 * on a shared disk is an expected fact to report, not a programming error.
 */
public record Decoded<T>(SlotReading.Status status, T value, String problem) {
    public Decoded {
        if (status == null) throw new IllegalArgumentException("status is required");
        if ((status == SlotReading.Status.VALID) != (value != null)) {
            throw new IllegalArgumentException("a value exactly when VALID, got " + status + " with " + value);
        }
        problem = problem == null ? "" : problem;
        if (status == SlotReading.Status.CORRUPT && problem.isEmpty()) {
            throw new IllegalArgumentException("a CORRUPT result must say why");
        }
    }

    static <T> Decoded<T> valid(T value) { return new Decoded<>(SlotReading.Status.VALID, value, ""); }

    static <T> Decoded<T> empty() { return new Decoded<>(SlotReading.Status.EMPTY, null, ""); }

    static <T> Decoded<T> corrupt(String problem) { return new Decoded<>(SlotReading.Status.CORRUPT, null, problem); }

    public boolean isValid() { return status == SlotReading.Status.VALID; }

    public boolean isEmpty() { return status == SlotReading.Status.EMPTY; }

    public boolean isCorrupt() { return status == SlotReading.Status.CORRUPT; }

    @Override public String toString() {
        return isValid() ? "VALID " + value : isEmpty() ? "EMPTY" : "CORRUPT (" + problem + ")";
    }
}
