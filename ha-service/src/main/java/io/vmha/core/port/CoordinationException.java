package io.vmha.core.port;

/** The coordinator could not be reached or refused the request for a reason other than a version conflict. */
public class CoordinationException extends Exception {
    public CoordinationException(String message, Throwable cause) { super(message, cause); }

    public CoordinationException(String message) { super(message); }
}
