package io.vmha.coordination;

/** A znode whose data is not the record its path promises; names the path so an operator can fix or delete it. */
public final class CorruptNodeException extends Exception {
    private final String path;

    public CorruptNodeException(String path, String problem, Throwable cause) {
        super("corrupt node " + path + ": " + problem, cause);
        this.path = path;
    }

    public String path() { return path; }
}
