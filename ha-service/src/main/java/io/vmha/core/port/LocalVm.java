package io.vmha.core.port;

/**
 * One VM instance this host's hypervisor knows about.
 *
 * @param epoch      the ownership epoch it was started under (the fencing token it holds)
 * @param instanceId unique per start, so that two runs of one VM can be told apart
 * @param running    false once the instance has exited (until the exit is acknowledged)
 * @param exitDetail how it exited ("killed by signal 9", "exit 0", ...), "" while running
 */
public record LocalVm(String vm, long epoch, String instanceId, boolean running, String exitDetail) {
}
