package io.vmha.hypervisor.qemu;

import io.vmha.core.InvalidInputException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A qemu VM's {@code driverParams}, parsed and validated. Paths are checked for shape only here; whether
 * they exist is this host's business, checked when the VM starts.
 *
 * @param diskFormat {@code auto} (detected at start: qcow2 by its magic, else raw) or an explicit format
 * @param netdev     the {@code -netdev} backend options without {@code id}, e.g.
 *                   {@code user,hostfwd=tcp:127.0.0.1:8080-:80}; empty for no NIC
 */
public record QemuParams(Optional<String> kernel, Optional<String> initrd, Optional<String> append,
                         Optional<String> disk, String diskFormat, boolean guestAgent, boolean pvpanic,
                         Optional<String> netdev, String machine) {
    public static final List<String> KEYS = List.of("kernel", "initrd", "append", "disk", "disk-format",
            "guest-agent", "pvpanic", "netdev", "machine");
    public static final List<String> DISK_FORMATS = List.of("auto", "raw", "qcow2");
    public static final List<String> NETDEV_TYPES = List.of("user", "tap", "bridge");
    public static final String DEFAULT_MACHINE = "pc,accel=tcg";
    private static final Pattern MACHINE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._=:-]*(,[A-Za-z0-9._=:-]+)*");
    private static final Pattern NETDEV = Pattern.compile("[a-z]+(,[A-Za-z0-9._=:/+-]+)*");

    /** Parses {@code params}; throws {@link InvalidInputException} naming the first bad key. */
    public static QemuParams parse(Map<String, String> params) {
        for (String key : params.keySet()) {
            if (!KEYS.contains(key)) throw new InvalidInputException("vm.driver-params." + key, key, "one of " + KEYS);
        }
        Optional<String> kernel = path(params, "kernel");
        Optional<String> initrd = path(params, "initrd");
        Optional<String> append = text(params, "append");
        if (kernel.isEmpty() && initrd.isPresent()) {
            throw new InvalidInputException("vm.driver-params.initrd", initrd.get(), "only together with kernel");
        }
        if (kernel.isEmpty() && append.isPresent()) {
            throw new InvalidInputException("vm.driver-params.append", append.get(), "only together with kernel");
        }
        Optional<String> disk = path(params, "disk");
        String diskFormat = params.getOrDefault("disk-format", "auto");
        if (!DISK_FORMATS.contains(diskFormat)) {
            throw new InvalidInputException("vm.driver-params.disk-format", diskFormat, "one of " + DISK_FORMATS);
        }
        if (disk.isEmpty() && params.containsKey("disk-format")) {
            throw new InvalidInputException("vm.driver-params.disk-format", diskFormat, "only together with disk");
        }
        String machine = params.getOrDefault("machine", DEFAULT_MACHINE);
        if (!MACHINE.matcher(machine).matches()) {
            throw new InvalidInputException("vm.driver-params.machine", machine,
                    "a qemu -machine value such as " + DEFAULT_MACHINE + " (letters, digits, . _ = : - and commas)");
        }
        return new QemuParams(kernel, initrd, append, disk, diskFormat, bool(params, "guest-agent", false),
                bool(params, "pvpanic", true), netdev(params), machine);
    }

    private static Optional<String> path(Map<String, String> params, String key) {
        String value = params.get(key);
        if (value == null) return Optional.empty();
        if (!value.startsWith("/") || value.contains("\n") || value.contains("\0") || value.contains("//")) {
            throw new InvalidInputException("vm.driver-params." + key, value, "an absolute file path");
        }
        return Optional.of(value);
    }

    private static Optional<String> text(Map<String, String> params, String key) {
        String value = params.get(key);
        if (value == null) return Optional.empty();
        if (value.contains("\n") || value.contains("\0")) {
            throw new InvalidInputException("vm.driver-params." + key, value, "one line of text");
        }
        return Optional.of(value);
    }

    private static boolean bool(Map<String, String> params, String key, boolean defaultValue) {
        String value = params.get(key);
        if (value == null) return defaultValue;
        if (value.equals("true")) return true;
        if (value.equals("false")) return false;
        throw new InvalidInputException("vm.driver-params." + key, value, "true or false");
    }

    private static Optional<String> netdev(Map<String, String> params) {
        String value = params.get("netdev");
        if (value == null) return Optional.empty();
        String type = value.split(",", 2)[0];
        if (!NETDEV.matcher(value).matches() || !NETDEV_TYPES.contains(type)) {
            throw new InvalidInputException("vm.driver-params.netdev", value,
                    "a -netdev backend of type " + NETDEV_TYPES + " with its options, e.g. user,hostfwd=tcp:127.0.0.1:8080-:80");
        }
        for (String option : value.split(",")) {
            if (option.startsWith("id=")) {
                throw new InvalidInputException("vm.driver-params.netdev", value, "no id= option (the driver names it n0)");
            }
        }
        return Optional.of(value);
    }
}
