package io.vmha.hypervisor.qemu;

import java.nio.file.Path;
import java.util.List;

/**
 * Where one VM's files live in the run directory. The log and console outlive the instance (tests and operators
 * read them). {@code check} is the census's own QMP socket (suffix as short as {@code .qmp}: socket paths are limited).
 */
record VmFiles(Path qmp, Path check, Path agent, Path pid, Path state, Path log, Path console) {
    static final String STATE_SUFFIX = ".state.json";
    static final String CHECK_SUFFIX = ".chk";

    static VmFiles of(Path runDir, String vm) {
        return new VmFiles(runDir.resolve(vm + ".qmp"), runDir.resolve(vm + CHECK_SUFFIX), runDir.resolve(vm + ".qga"),
                runDir.resolve(vm + ".pid"), runDir.resolve(vm + STATE_SUFFIX), runDir.resolve(vm + ".log"),
                runDir.resolve(vm + ".console"));
    }

    /** What goes away with the instance. */
    List<Path> transient_() {
        return List.of(qmp, check, agent, pid, state);
    }
}
