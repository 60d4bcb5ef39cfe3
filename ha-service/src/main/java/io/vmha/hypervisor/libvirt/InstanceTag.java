package io.vmha.hypervisor.libvirt;

/**
 * What the driver writes into a domain's {@code <metadata>} as
 * {@code <vmha:instance xmlns:vmha="https://vmha.io/xmlns/instance/1" epoch=".." instance=".." host=".."/>}:
 * libvirt keeps it with the domain, so a restarted daemon re-reads the fencing token from libvirt itself.
 *
 * @param epoch      the ownership epoch the instance was started under
 * @param instanceId unique per start
 * @param host       the vmha host that started it; another host's domains are never adopted
 */
public record InstanceTag(long epoch, String instanceId, String host) {
    public static final String NAMESPACE = "https://vmha.io/xmlns/instance/1";
    public static final String PREFIX = "vmha";
    public static final String ELEMENT = "instance";
}
