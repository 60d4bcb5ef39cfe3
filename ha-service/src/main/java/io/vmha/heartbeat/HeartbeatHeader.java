package io.vmha.heartbeat;

import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;

/**
 * Block 0 of a heartbeat device: which pool it belongs to, how many slots it holds and the timing the
 * pool was formatted with, so every host of the pool judges liveness with the same numbers.
 *
 * @param sectorSize the logical sector size detected at init (512 or 4096 typically); informative, since
 *                   every record is {@link HeartbeatFormat#BLOCK} bytes and therefore aligned on either
 */
public record HeartbeatHeader(String pool, int slotCount, int sectorSize, long intervalMillis, long timeoutMillis,
                              long createdWallMillis) {
    public static final int MAX_SLOTS = 255;
    public static final long MIN_INTERVAL_MILLIS = 10;
    public static final long MAX_INTERVAL_MILLIS = 60_000;
    public static final long MAX_TIMEOUT_MILLIS = 600_000;

    public HeartbeatHeader {
        String problem = problem(pool, slotCount, sectorSize, intervalMillis, timeoutMillis, createdWallMillis);
        if (problem != null) throw new InvalidInputException("heartbeat.header", problem, "a consistent header");
    }

    /** Why these values cannot form a header, or null. Shared by the constructor and the decoder. */
    static String problem(String pool, int slotCount, int sectorSize, long intervalMillis, long timeoutMillis,
                          long createdWallMillis) {
        try {
            if (pool == null || !Blocks.isName(pool)) Names.check("heartbeat.pool", pool);
        } catch (InvalidInputException e) {
            return "pool name not valid: " + e.getMessage();
        }
        if (slotCount < 1 || slotCount > MAX_SLOTS) return "slot count " + slotCount + " out of range (1 to " + MAX_SLOTS + ")";
        if (sectorSize < 512 || sectorSize > HeartbeatFormat.BLOCK || Integer.bitCount(sectorSize) != 1) {
            return "sector size " + sectorSize + " not accepted (a power of two from 512 to " + HeartbeatFormat.BLOCK + ")";
        }
        if (intervalMillis < MIN_INTERVAL_MILLIS || intervalMillis > MAX_INTERVAL_MILLIS) {
            return "interval " + intervalMillis + " ms out of range (" + MIN_INTERVAL_MILLIS + " to " + MAX_INTERVAL_MILLIS + ")";
        }
        // Two missed writes must never look like death: a timeout below two intervals would fence on one hiccup.
        if (timeoutMillis < 2 * intervalMillis || timeoutMillis > MAX_TIMEOUT_MILLIS) {
            return "timeout " + timeoutMillis + " ms out of range (at least twice the interval " + intervalMillis
                    + " ms, at most " + MAX_TIMEOUT_MILLIS + ")";
        }
        if (createdWallMillis < 0) return "creation time " + createdWallMillis + " is negative";
        return null;
    }
}
