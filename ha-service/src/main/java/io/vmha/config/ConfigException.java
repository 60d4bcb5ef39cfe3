package io.vmha.config;

import io.vmha.core.InvalidInputException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The agent configuration file cannot be used. The message is {@code <file>: <what is wrong>}; when a value
 * is wrong, {@link #invalidInput()} holds the field, the value and what would be accepted.
 */
public final class ConfigException extends Exception {
    private final transient Path file;
    private final InvalidInputException invalidInput;

    /** A value in the file is wrong. */
    public ConfigException(Path file, InvalidInputException cause) {
        super(file + ": " + cause.getMessage(), cause);
        this.file = file;
        this.invalidInput = cause;
    }

    /** The file cannot be read or is not YAML; {@code problem} says why and, for YAML, where. */
    public ConfigException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.invalidInput = null;
    }

    public Path file() { return file; }

    /** The rejected value, or empty when the file could not be read or parsed at all. */
    public Optional<InvalidInputException> invalidInput() { return Optional.ofNullable(invalidInput); }
}
