package io.vmha.demo;

import java.util.SortedMap;

/**
 * One injected fault: what, when (wall-clock microseconds, the clock sim VMs stamp their disk writes
 * with) and the VMs it took down, with the epoch each held at that moment.
 */
record Fault(String what, long atMicros, SortedMap<String, Long> affected, boolean vmsMustKeepRunning) {
    Fault(String what, long atMicros, SortedMap<String, Long> affected) {
        this(what, atMicros, affected, false);
    }
}
