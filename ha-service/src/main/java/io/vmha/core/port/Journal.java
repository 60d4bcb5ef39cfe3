package io.vmha.core.port;

/** Where state changes and HA decisions are written: the log, the audit trail, the simulator's oracle. */
public interface Journal {
    /** Record one line said by {@code source} (a host name, "master", ...). Must not throw. */
    void record(String source, String message);
}
