package io.vmha.core;

/**
 * One slot as a reader judged it.
 *
 * @param slot          the decoded slot; null when EMPTY or CORRUPT (a corrupt slot is never trusted)
 * @param stale         its sequence has not advanced for the disk timeout on the reader's own clock
 * @param unchangedFor  milliseconds since the reader last saw the sequence change (reader's monotonic clock)
 * @param problem       why it is CORRUPT ("checksum mismatch", "torn write"...), "" otherwise
 */
public record SlotReading(int index, Status status, HeartbeatSlot slot, boolean stale, long unchangedFor, String problem) {
    public enum Status { VALID, EMPTY, CORRUPT }

    /** Advancing and valid: the writer was alive within the disk timeout. */
    public boolean live() { return status == Status.VALID && !stale; }
}
