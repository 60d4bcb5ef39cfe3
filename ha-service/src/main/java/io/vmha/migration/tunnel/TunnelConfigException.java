package io.vmha.migration.tunnel;

/** The tunnel cannot be set up from its files or settings: the message names the file or field, the value and what is accepted. */
public class TunnelConfigException extends Exception {
    public TunnelConfigException(String message) {
        super(message);
    }

    public TunnelConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
