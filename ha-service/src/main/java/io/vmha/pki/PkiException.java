package io.vmha.pki;

/** A PKI file that cannot be used: the message names the file, what is wrong with it and what is accepted. */
public class PkiException extends Exception {
    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
