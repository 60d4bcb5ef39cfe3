package io.vmha.core;

import java.util.regex.Pattern;

/** Names of VMs, hosts and pools: they become ZooKeeper node names and file names, so no '/' or spaces. */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    public static final String RULE = "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit";

    private Names() {}

    public static String check(String field, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new InvalidInputException(field, value, RULE);
        }
        return value;
    }
}
