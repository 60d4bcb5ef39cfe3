package io.vmha.core;

/** A state that can explain itself to an operator. */
public interface Described {
    String description();
}
