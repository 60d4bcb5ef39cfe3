package io.vmha.hypervisor.qemu;

/**
 * A QMP exchange failed: no connection, no greeting, a timeout, a malformed reply, or qemu's own error
 * reply (then {@link #errorClass()} is qemu's error class, e.g. {@code GenericError}).
 */
public final class QmpException extends Exception {
    private final String errorClass;

    QmpException(String message) {
        this(message, null, null);
    }

    QmpException(String message, Throwable cause) {
        this(message, null, cause);
    }

    QmpException(String message, String errorClass, Throwable cause) {
        super(message, cause);
        this.errorClass = errorClass;
    }

    /** qemu's error class when qemu answered with an error, else null. */
    public String errorClass() {
        return errorClass;
    }
}
