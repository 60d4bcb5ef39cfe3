package io.vmha.core;

import io.vmha.core.port.ConnectionState;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one host writes in its slot on the shared heartbeat disk every interval: who it is, a counter
 * that must keep advancing, its own view of the coordinator, its fence state and the VMs it runs.
 *
 * @param sequence            grows by one per write; liveness is judged by it advancing, never by clocks
 * @param zk                  the host's coordinator connection state at the time of writing
 * @param msSinceZkContact    how long since its last answered coordinator round trip
 * @param epochs              VM name to the ownership epoch of each instance it runs
 */
public record HeartbeatSlot(String host, long incarnation, long sequence, ConnectionState zk, long zkSessionId,
                            long msSinceZkContact, FenceState fence, SortedMap<String, Long> epochs) {
    public HeartbeatSlot {
        Names.check("slot.host", host);
        if (sequence < 0) throw new InvalidInputException("slot.sequence", sequence, "0 or more");
        if (zk == null) throw new InvalidInputException("slot.zk", null, "one of CONNECTED, SUSPENDED, LOST");
        if (fence == null) throw new InvalidInputException("slot.fence", null, "one of NONE, FENCING, FENCED");
        if (msSinceZkContact < 0) msSinceZkContact = 0;
        epochs = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(epochs == null ? Map.of() : epochs));
    }

    /** True when this slot's writer says it holds a live coordinator session. */
    public boolean zkConnected() { return zk == ConnectionState.CONNECTED; }
}
