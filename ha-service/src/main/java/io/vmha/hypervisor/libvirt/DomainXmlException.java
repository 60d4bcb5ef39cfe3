package io.vmha.hypervisor.libvirt;

/** Domain XML that cannot be used; the message names where it came from and what is wrong. */
public final class DomainXmlException extends Exception {
    public DomainXmlException(String message) { super(message); }

    public DomainXmlException(String message, Throwable cause) { super(message, cause); }
}
