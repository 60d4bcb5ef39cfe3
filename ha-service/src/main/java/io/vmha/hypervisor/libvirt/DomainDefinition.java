package io.vmha.hypervisor.libvirt;

import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The domain XML of one start, from the VM spec's {@code driverParams}: either the operator's own file
 * ({@code domain-xml}) or the built-in template, then stamped with the VM name, the vmha metadata and the
 * process marker ({@link DomainXml#stamp}).
 *
 * <p>Built-in template parameters: {@code kernel}, {@code initrd}, {@code cmdline} (direct kernel boot),
 * {@code disk} (an image, virtio), {@code disk-format} ({@code raw} or {@code qcow2}, default raw),
 * {@code guest-agent} ({@code true}: a virtio channel {@value DomainXml#GUEST_AGENT_CHANNEL}),
 * {@code pvpanic} (default {@code true}: {@code <panic model='isa'/>}), {@code network} ({@code none} or
 * {@code user}: slirp user-mode networking, without port forwarding, which libvirt 9.0 offers only with
 * the passt backend), {@code emulator} (the qemu binary; default: libvirt's choice).
 *
 * <p>The template always says {@code type='qemu'} (TCG: works without KVM) and {@code on_crash=preserve}: a
 * guest panic keeps the domain in state "crashed (panicked)" so that the HA policy sees PANICKED and can
 * reset it in place (same instance, same epoch) instead of losing the instance.
 *
 * @param xml          the complete domain XML to define
 * @param guestAgent   the domain has a guest-agent channel (pingGuest can answer OK / NO_ANSWER)
 */
public record DomainDefinition(String xml, boolean guestAgent) {
    public static final String DOMAIN_XML = "domain-xml";
    /** {@value #DOMAIN_XML}, then the built-in template's parameters. */
    public static final List<String> ACCEPTED_PARAMS = List.of(DOMAIN_XML, "kernel", "initrd", "cmdline", "disk",
            "disk-format", "guest-agent", "pvpanic", "network", "emulator");

    private static final String FIELD = "vm.driver-params";

    /**
     * Builds the definition of {@code spec} for an instance tagged {@code tag}.
     *
     * @throws InvalidInputException a parameter is unknown or has a bad value
     * @throws DomainXmlException    the operator's {@code domain-xml} file cannot be read or used
     */
    public static DomainDefinition of(VmSpec spec, InstanceTag tag) throws DomainXmlException {
        Map<String, String> params = spec.driverParams();
        check(params);
        Document doc;
        String what;
        if (params.containsKey(DOMAIN_XML)) {
            Path file = absolutePath(DOMAIN_XML, params.get(DOMAIN_XML));
            what = "domain-xml file " + file;
            try {
                doc = DomainXml.parse(Files.readString(file), what);
            } catch (IOException e) {
                throw new DomainXmlException(what + ": cannot read it: " + e, e);
            }
        } else {
            what = "built-in domain template";
            doc = Template.parse(params).build(spec);
        }
        DomainXml.stamp(doc, spec.name(), tag, what);
        return new DomainDefinition(DomainXml.serialize(doc), DomainXml.hasGuestAgentChannel(doc));
    }

    /**
     * Checks names and values of {@code params} without reading any file (whether paths exist is the starting
     * host's business): what a registration (CLI, spec file) can refuse at once.
     *
     * @throws InvalidInputException naming the first bad parameter
     */
    public static void check(Map<String, String> params) {
        for (String key : params.keySet()) {
            if (!ACCEPTED_PARAMS.contains(key)) throw new InvalidInputException(FIELD + "." + key, key, "one of " + ACCEPTED_PARAMS);
        }
        if (params.containsKey(DOMAIN_XML)) {
            for (String key : params.keySet()) {
                if (!key.equals(DOMAIN_XML)) {
                    throw new InvalidInputException(FIELD + "." + key, params.get(key),
                            "no template parameter together with " + DOMAIN_XML + " (the operator's file is used as it is)");
                }
            }
            absolutePath(DOMAIN_XML, params.get(DOMAIN_XML));
        } else {
            Template.parse(params);
        }
    }

    /** The built-in template's parameters, validated; null for an absent optional one. */
    private record Template(String kernel, String initrd, String cmdline, String disk, String diskFormat, boolean agent,
                            boolean pvpanic, String network, String emulator) {
        static Template parse(Map<String, String> params) {
            String kernel = params.containsKey("kernel") ? absolutePath("kernel", params.get("kernel")).toString() : null;
            for (String needsKernel : List.of("initrd", "cmdline")) {
                if (params.containsKey(needsKernel) && kernel == null) {
                    throw new InvalidInputException(FIELD + "." + needsKernel, params.get(needsKernel), "only together with kernel");
                }
            }
            String initrd = params.containsKey("initrd") ? absolutePath("initrd", params.get("initrd")).toString() : null;
            String disk = params.containsKey("disk") ? absolutePath("disk", params.get("disk")).toString() : null;
            String diskFormat = oneOf("disk-format", params.getOrDefault("disk-format", "raw"), List.of("raw", "qcow2"));
            if (params.containsKey("disk-format") && disk == null) {
                throw new InvalidInputException(FIELD + ".disk-format", params.get("disk-format"), "only together with disk");
            }
            boolean agent = bool("guest-agent", params.getOrDefault("guest-agent", "false"));
            boolean pvpanic = bool("pvpanic", params.getOrDefault("pvpanic", "true"));
            String network = oneOf("network", params.getOrDefault("network", "none"), List.of("none", "user"));
            String emulator = params.containsKey("emulator") ? absolutePath("emulator", params.get("emulator")).toString() : null;
            return new Template(kernel, initrd, params.get("cmdline"), disk, diskFormat, agent, pvpanic, network, emulator);
        }

        Document build(VmSpec spec) throws DomainXmlException {
            Document doc = DomainXml.parse("<domain type='qemu'/>", "built-in domain template");
            Element root = doc.getDocumentElement();
            add(root, "name", spec.name());
            add(root, "memory", Long.toString(spec.memoryMib())).setAttribute("unit", "MiB");
            add(root, "vcpu", Integer.toString(spec.vcpus()));
            Element os = add(root, "os", null);
            Element type = add(os, "type", "hvm");
            type.setAttribute("arch", "x86_64");
            type.setAttribute("machine", "pc");
            if (kernel != null) add(os, "kernel", kernel);
            if (initrd != null) add(os, "initrd", initrd);
            if (cmdline != null) add(os, "cmdline", cmdline);
            add(add(root, "features", null), "acpi", null); // lets `virsh shutdown` ask an ACPI-aware guest to power off
            add(root, "on_poweroff", "destroy");
            add(root, "on_reboot", "restart");
            add(root, "on_crash", "preserve");
            Element devices = add(root, "devices", null);
            if (emulator != null) add(devices, "emulator", emulator);
            if (disk != null) {
                Element d = add(devices, "disk", null);
                d.setAttribute("type", "file");
                d.setAttribute("device", "disk");
                Element driver = add(d, "driver", null);
                driver.setAttribute("name", "qemu");
                driver.setAttribute("type", diskFormat);
                add(d, "source", null).setAttribute("file", disk);
                Element target = add(d, "target", null);
                target.setAttribute("dev", "vda");
                target.setAttribute("bus", "virtio");
            }
            if (network.equals("user")) {
                Element nic = add(devices, "interface", null);
                nic.setAttribute("type", "user");
                add(nic, "model", null).setAttribute("type", "virtio");
            }
            add(devices, "serial", null).setAttribute("type", "pty");
            add(devices, "console", null).setAttribute("type", "pty");
            if (agent) {
                Element channel = add(devices, "channel", null);
                channel.setAttribute("type", "unix");
                Element target = add(channel, "target", null);
                target.setAttribute("type", "virtio");
                target.setAttribute("name", DomainXml.GUEST_AGENT_CHANNEL);
            }
            if (pvpanic) add(devices, "panic", null).setAttribute("model", "isa");
            return doc;
        }
    }

    private static Element add(Element parent, String name, String text) {
        Element e = parent.getOwnerDocument().createElementNS(null, name);
        if (text != null) e.setTextContent(text);
        parent.appendChild(e);
        return e;
    }

    private static Path absolutePath(String key, String value) {
        if (value == null || value.isBlank() || !value.startsWith("/") || value.contains("\0")) {
            throw new InvalidInputException(FIELD + "." + key, value, "an absolute path on this host");
        }
        return Path.of(value).normalize();
    }

    private static boolean bool(String key, String value) {
        return Boolean.parseBoolean(oneOf(key, value, List.of("true", "false")));
    }

    private static String oneOf(String key, String value, List<String> accepted) {
        if (!accepted.contains(value)) throw new InvalidInputException(FIELD + "." + key, value, "one of " + accepted);
        return value;
    }
}
