package io.vmha.core.port;

/** A hypervisor operation failed; the message says which VM and why. */
public class HypervisorException extends Exception {
    public HypervisorException(String message, Throwable cause) { super(message, cause); }

    public HypervisorException(String message) { super(message); }
}
