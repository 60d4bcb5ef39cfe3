package io.vmha.core;

/**
 * Bad input from an operator or a file: names the field, the rejected value and what would be
 * accepted, so the message alone tells the operator how to fix it.
 */
public final class InvalidInputException extends IllegalArgumentException {
    private final String field;
    private final String value;
    private final String accepted;

    public InvalidInputException(String field, Object value, String accepted) {
        super(field + ": " + quote(value) + " is not accepted; expected " + accepted);
        this.field = field;
        this.value = String.valueOf(value);
        this.accepted = accepted;
    }

    private static String quote(Object value) {
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }

    public String field() { return field; }
    public String value() { return value; }
    public String accepted() { return accepted; }
}
