package io.vmha.config;

import io.vmha.core.InvalidInputException;

/** The accepted range of one integer key, named by its full dotted key so errors point at the file. */
record Limit(String key, long min, long max, String unit) {

    long check(long value) {
        if (value < min || value > max) throw new InvalidInputException(key, value, accepted());
        return value;
    }

    /** The same range under another key (a family of keys sharing one range). */
    Limit named(String otherKey) {
        return new Limit(otherKey, min, max, unit);
    }

    String accepted() {
        return "an integer from " + min + " to " + max + " (" + unit + ")";
    }
}
