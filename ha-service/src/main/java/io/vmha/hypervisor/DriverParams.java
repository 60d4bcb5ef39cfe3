package io.vmha.hypervisor;

import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import io.vmha.hypervisor.qemu.QemuParams;

/**
 * Checks a VM spec's driver parameters against its driver when the spec is registered (CLI, spec file), so a
 * typo is refused at once with the field named, instead of failing later on whichever host starts the VM.
 */
public final class DriverParams {
    private DriverParams() {}

    public static VmSpec check(VmSpec spec) {
        switch (spec.driver()) {
            case "qemu" -> QemuParams.parse(spec.driverParams());
            case "libvirt" -> io.vmha.hypervisor.libvirt.DomainDefinition.check(spec.driverParams());
            case "sim" -> {
                if (!spec.driverParams().isEmpty()) {
                    String key = spec.driverParams().keySet().iterator().next();
                    throw new InvalidInputException("vm.driver-params." + key, key, "none: the sim driver takes no parameters");
                }
            }
            default -> { }
        }
        return spec;
    }
}
