package io.vmha.coordination;

/**
 * One entry of the pool's audit log ({@code events/e-<sequence>}).
 *
 * @param sequence   ZooKeeper's sequence number of the node: the true order of events across hosts
 *                   (wall clocks of different hosts are not comparable)
 * @param wallMillis the writer's wall clock, for people reading the log
 * @param source     who said it: a host name, "master", "cli"...
 */
public record PoolEvent(long sequence, long wallMillis, String source, String message) {
    public PoolEvent {
        source = source == null ? "" : source;
        message = message == null ? "" : message;
    }

    /** What is stored in the node: the sequence is the node's name, so it is not repeated in the data. */
    record Body(long wallMillis, String source, String message) {}
}
