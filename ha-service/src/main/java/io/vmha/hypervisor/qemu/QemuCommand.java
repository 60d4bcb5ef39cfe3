package io.vmha.hypervisor.qemu;

import io.vmha.core.VmSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The argv of one qemu instance. Everything that identifies it sits in {@code /proc/PID/cmdline}, for an
 * independent checker and for the fence guard: the marker ({@link #MARKER}) in the {@code -name} element, and
 * the instance id and epoch as {@code fw_cfg} entries (also readable by the guest).
 */
public final class QemuCommand {
    /** In one argv element of every qemu this driver starts: {@code guest=VM,process=vmha-qemu-VM}. */
    public static final String MARKER = "vmha-qemu";
    static final String INSTANCE_FW_CFG = "opt/io.vmha/instance";
    static final String EPOCH_FW_CFG = "opt/io.vmha/epoch";
    static final String AGENT_PORT = "org.qemu.guest_agent.0";

    private QemuCommand() {}

    /**
     * @param diskFormat the resolved format (raw or qcow2), ignored without a disk
     * @param incoming   a migration target: {@code -incoming defer} (the driver picks the port over QMP). Either
     *                   way qemu starts paused ({@code -S}): a normal start until the driver holds the monitor
     *                   and sends {@code cont} (so no event is missed), a target until {@code activate}, so that
     *                   it never executes guest code before the owner record names it
     */
    static List<String> argv(String binary, VmSpec spec, QemuParams params, VmFiles files, String instanceId,
                             long epoch, String diskFormat, boolean incoming) {
        List<String> a = new ArrayList<>(List.of(binary));
        a.addAll(List.of("-name", "guest=" + spec.name() + ",process=" + MARKER + "-" + spec.name()));
        a.addAll(List.of("-fw_cfg", "name=" + INSTANCE_FW_CFG + ",string=" + instanceId));
        a.addAll(List.of("-fw_cfg", "name=" + EPOCH_FW_CFG + ",string=" + epoch));
        a.addAll(List.of("-machine", params.machine(), "-m", Long.toString(spec.memoryMib()),
                "-smp", Integer.toString(spec.vcpus())));
        a.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none"));
        a.addAll(List.of("-serial", "file:" + files.console()));
        a.addAll(List.of("-qmp", "unix:" + escape(files.qmp().toString()) + ",server=on,wait=off"));
        // A second monitor that only the double-run census uses (query-status): the driver's socket is its own.
        a.addAll(List.of("-qmp", "unix:" + escape(files.check().toString()) + ",server=on,wait=off"));
        a.addAll(List.of("-pidfile", files.pid().toString()));
        if (params.pvpanic()) {
            // A panicking guest pauses (it stays inspectable) instead of rebooting; GUEST_PANICKED tells us.
            a.addAll(List.of("-device", "pvpanic", "-action", "panic=pause"));
        }
        if (params.kernel().isPresent()) {
            a.addAll(List.of("-kernel", params.kernel().get()));
            params.initrd().ifPresent(initrd -> a.addAll(List.of("-initrd", initrd)));
            params.append().ifPresent(append -> a.addAll(List.of("-append", append)));
        }
        params.disk().ifPresent(disk -> a.addAll(List.of("-drive",
                "file=" + escape(disk) + ",format=" + diskFormat + ",if=virtio")));
        if (params.guestAgent()) {
            a.addAll(List.of("-chardev", "socket,id=qga0,path=" + escape(files.agent().toString()) + ",server=on,wait=off",
                    "-device", "virtio-serial", "-device", "virtserialport,chardev=qga0,name=" + AGENT_PORT));
        }
        params.netdev().ifPresent(netdev -> a.addAll(List.of("-netdev", insertId(netdev),
                "-device", "virtio-net-pci,netdev=n0")));
        a.add("-S");
        if (incoming) a.addAll(List.of("-incoming", "defer"));
        return a;
    }

    /** qemu's option syntax: a comma inside a value is written twice. */
    static String escape(String value) {
        return value.replace(",", ",,");
    }

    /** {@code user,hostfwd=...} becomes {@code user,id=n0,hostfwd=...}. */
    private static String insertId(String netdev) {
        int comma = netdev.indexOf(',');
        return comma < 0 ? netdev + ",id=n0" : netdev.substring(0, comma) + ",id=n0" + netdev.substring(comma);
    }

    /**
     * Which VM and which instance a qemu process started by this driver is, read from its argv alone (for
     * the independent double-run census); empty for any other process.
     */
    public static java.util.Optional<io.vmha.checker.ProcessCensus.Identity> identify(List<String> argv) {
        String vm = null;
        String instance = null;
        String namePrefix = "guest=";
        String instancePrefix = "name=" + INSTANCE_FW_CFG + ",string=";
        for (int i = 0; i + 1 < argv.size(); i++) {
            String value = argv.get(i + 1);
            if (argv.get(i).equals("-name") && value.startsWith(namePrefix) && value.contains(",process=" + MARKER + "-")) {
                vm = value.substring(namePrefix.length(), value.indexOf(','));
            } else if (argv.get(i).equals("-fw_cfg") && value.startsWith(instancePrefix)) {
                instance = value.substring(instancePrefix.length());
            }
        }
        return vm == null || instance == null ? java.util.Optional.empty()
                : java.util.Optional.of(new io.vmha.checker.ProcessCensus.Identity(vm, instance));
    }

    /**
     * The census socket named in a qemu argv built here ({@link VmFiles#CHECK_SUFFIX}), read from the argv alone;
     * empty for other processes.
     */
    public static java.util.Optional<java.nio.file.Path> checkSocket(List<String> argv) {
        for (int i = 0; i + 1 < argv.size(); i++) {
            String value = argv.get(i + 1);
            if (!argv.get(i).equals("-qmp") || !value.startsWith("unix:")) continue;
            int end = value.length();
            for (int c = 5; c < value.length(); c++) {
                if (value.charAt(c) != ',') continue;
                if (c + 1 < value.length() && value.charAt(c + 1) == ',') { c++; continue; }
                end = c;
                break;
            }
            String path = value.substring(5, end).replace(",,", ",");
            if (path.endsWith(VmFiles.CHECK_SUFFIX)) return java.util.Optional.of(java.nio.file.Path.of(path));
        }
        return java.util.Optional.empty();
    }

    /** The argv element that carries {@code instanceId}: what adoption looks for in /proc/PID/cmdline. */
    static String instanceArgument(String instanceId) {
        return "name=" + INSTANCE_FW_CFG + ",string=" + instanceId;
    }
}
