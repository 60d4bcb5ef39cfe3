package io.vmha.hypervisor.libvirt;

import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainDefinitionTest {
    private static final InstanceTag TAG = new InstanceTag(7, "h1.e7.1234", "h1");

    /** VmSpec accepts only the drivers core knows ("sim" for now); the libvirt driver reads only driverParams. */
    private static VmSpec spec(String name, Map<String, String> params) {
        return new VmSpec(name, 64, 2, "sim", params, true, List.of());
    }

    private static Document parse(DomainDefinition d) throws DomainXmlException {
        return DomainXml.parse(d.xml(), "test");
    }

    private static String text(Document doc, String xpathLike) {
        String[] path = xpathLike.split("/");
        Element e = doc.getDocumentElement();
        for (String step : path) e = DomainXml.child(e, step).orElseThrow(() -> new AssertionError("no <" + step + "> in " + xpathLike));
        return e.getTextContent();
    }

    private static Element element(Document doc, String... path) {
        Element e = doc.getDocumentElement();
        for (String step : path) e = DomainXml.child(e, step).orElseThrow(() -> new AssertionError("no <" + step + ">"));
        return e;
    }

    @Test
    void diskless64MibTemplate() throws Exception {
        DomainDefinition d = DomainDefinition.of(spec("web1", Map.of()), TAG);
        Document doc = parse(d);
        assertEquals("qemu", doc.getDocumentElement().getAttribute("type"));
        assertEquals("web1", DomainXml.name(doc));
        assertEquals("64", text(doc, "memory"));
        assertEquals("MiB", element(doc, "memory").getAttribute("unit"));
        assertEquals("2", text(doc, "vcpu"));
        assertEquals("preserve", text(doc, "on_crash"));
        assertEquals("isa", element(doc, "devices", "panic").getAttribute("model")); // pvpanic on by default
        assertFalse(d.guestAgent());
        assertFalse(DomainXml.hasGuestAgentChannel(doc));
        assertTrue(DomainXml.children(element(doc, "devices"), "disk").isEmpty());
        assertTrue(DomainXml.children(element(doc, "devices"), "interface").isEmpty());
        assertTrue(DomainXml.children(element(doc, "os"), "kernel").isEmpty());
    }

    @Test
    void metadataRoundTripAndMarker() throws Exception {
        Document doc = parse(DomainDefinition.of(spec("web1", Map.of()), TAG));
        assertEquals(TAG, DomainXml.tag(doc).orElseThrow());
        assertTrue(DomainDefinition.of(spec("web1", Map.of()), TAG).xml()
                .contains("xmlns:vmha=\"" + InstanceTag.NAMESPACE + "\""), "the vmha prefix and namespace");
        assertEquals("sysinfo", element(doc, "os", "smbios").getAttribute("mode"));
        Element sysinfo = element(doc, "sysinfo");
        assertEquals("smbios", sysinfo.getAttribute("type"));
        assertEquals(DomainXml.OEM_MARKER, text(doc, "sysinfo/oemStrings/entry"));
        assertEquals("type=11,value=vmha.io/libvirt", DomainXml.MARKER_ARGUMENT);
    }

    @Test
    void templateParameters() throws Exception {
        Map<String, String> p = Map.of("kernel", "/boot/vmlinuz", "initrd", "/srv/initrd.img", "cmdline", "console=ttyS0 a<b&c='d'",
                "disk", "/srv/disk.qcow2", "disk-format", "qcow2", "guest-agent", "true", "pvpanic", "false", "network", "user",
                "emulator", "/usr/bin/qemu-system-x86_64");
        DomainDefinition d = DomainDefinition.of(spec("db", p), TAG);
        Document doc = parse(d);
        assertEquals("/boot/vmlinuz", text(doc, "os/kernel"));
        assertEquals("/srv/initrd.img", text(doc, "os/initrd"));
        assertEquals("console=ttyS0 a<b&c='d'", text(doc, "os/cmdline"), "escaped on the way out, intact on the way in");
        assertEquals("/srv/disk.qcow2", element(doc, "devices", "disk", "source").getAttribute("file"));
        assertEquals("qcow2", element(doc, "devices", "disk", "driver").getAttribute("type"));
        assertEquals("virtio", element(doc, "devices", "disk", "target").getAttribute("bus"));
        assertEquals("user", element(doc, "devices", "interface").getAttribute("type"));
        assertEquals("/usr/bin/qemu-system-x86_64", text(doc, "devices/emulator"));
        assertTrue(d.guestAgent());
        assertEquals(DomainXml.GUEST_AGENT_CHANNEL, element(doc, "devices", "channel", "target").getAttribute("name"));
        assertTrue(DomainXml.children(element(doc, "devices"), "panic").isEmpty());
    }

    @Test
    void unknownParameterNamesTheKeyAndTheAcceptedOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> DomainDefinition.of(spec("web1", Map.of("kernal", "/boot/vmlinuz")), TAG));
        assertEquals("vm.driver-params.kernal", e.field());
        assertEquals("kernal", e.value());
        assertTrue(e.accepted().contains("kernel") && e.accepted().contains("domain-xml"), e.getMessage());
    }

    @Test
    void checkRefusesWhatOfRefusesWithoutReadingFiles() {
        DomainDefinition.check(Map.of("domain-xml", "/nonexistent/vm.xml")); // shape only: the file is the host's business
        DomainDefinition.check(Map.of("kernel", "/nonexistent/vmlinuz", "cmdline", "quiet", "guest-agent", "true"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DomainDefinition.check(Map.of("append", "quiet")));
        assertEquals("vm.driver-params.append", e.field());
        e = assertThrows(InvalidInputException.class, () -> DomainDefinition.check(Map.of("network", "tap")));
        assertEquals("vm.driver-params.network", e.field());
    }

    @Test
    void badParameterValues() {
        assertBad(Map.of("kernel", "boot/vmlinuz"), "vm.driver-params.kernel", "an absolute path");
        assertBad(Map.of("initrd", "/i.img"), "vm.driver-params.initrd", "only together with kernel");
        assertBad(Map.of("cmdline", "quiet"), "vm.driver-params.cmdline", "only together with kernel");
        assertBad(Map.of("guest-agent", "yes"), "vm.driver-params.guest-agent", "one of [true, false]");
        assertBad(Map.of("pvpanic", ""), "vm.driver-params.pvpanic", "one of [true, false]");
        assertBad(Map.of("network", "bridge"), "vm.driver-params.network", "one of [none, user]");
        assertBad(Map.of("disk", "/d.img", "disk-format", "vmdk"), "vm.driver-params.disk-format", "one of [raw, qcow2]");
        assertBad(Map.of("disk-format", "raw"), "vm.driver-params.disk-format", "only together with disk");
        assertBad(Map.of("domain-xml", "/etc/vm.xml", "kernel", "/boot/vmlinuz"), "vm.driver-params.kernel", "no template parameter");
        assertBad(Map.of("domain-xml", "vm.xml"), "vm.driver-params.domain-xml", "an absolute path");
    }

    private static void assertBad(Map<String, String> params, String field, String accepted) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DomainDefinition.of(spec("web1", params), TAG));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.accepted().contains(accepted), e.getMessage());
    }

    @Test
    void operatorDomainXmlIsStampedNotRewritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vm.xml");
        try (InputStream in = getClass().getResourceAsStream("operator-domain.xml")) {
            Files.write(file, in.readAllBytes());
        }
        DomainDefinition d = DomainDefinition.of(spec("web1", Map.of("domain-xml", file.toString())), TAG);
        Document doc = parse(d);
        assertEquals("web1", DomainXml.name(doc));
        assertEquals("kvm", doc.getDocumentElement().getAttribute("type"), "the operator's domain type stays");
        assertEquals("destroy", text(doc, "on_crash"));
        assertEquals(TAG, DomainXml.tag(doc).orElseThrow(), "the old vmha tag is replaced");
        assertEquals(1, d.xml().split("vmha:instance", -1).length - 1, "exactly one vmha tag: " + d.xml());
        assertTrue(d.xml().contains("keep me"), "other metadata stays");
        assertTrue(d.guestAgent());
        assertEquals(DomainXml.OEM_MARKER, text(doc, "sysinfo/oemStrings/entry"));

        // stamping the result again (a restart) keeps one marker entry
        Document again = DomainXml.parse(d.xml(), "again");
        DomainXml.stamp(again, "web1", new InstanceTag(8, "h2.e8.1", "h2"), "again");
        assertEquals(1, DomainXml.serialize(again).split(DomainXml.OEM_MARKER, -1).length - 1);
        assertEquals(8, DomainXml.tag(again).orElseThrow().epoch());
    }

    @Test
    void badDomainXmlFilesNameTheFileAndTheError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.xml");
        DomainXmlException e = assertThrows(DomainXmlException.class,
                () -> DomainDefinition.of(spec("web1", Map.of("domain-xml", missing.toString())), TAG));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("cannot read"), e.getMessage());

        Path broken = dir.resolve("broken.xml");
        Files.writeString(broken, "<domain type='qemu'>\n  <name>x</name>\n  <os></domain>\n");
        e = assertThrows(DomainXmlException.class, () -> DomainDefinition.of(spec("web1", Map.of("domain-xml", broken.toString())), TAG));
        assertTrue(e.getMessage().contains(broken.toString()) && e.getMessage().contains("line 3"), e.getMessage());

        Path notDomain = dir.resolve("network.xml");
        Files.writeString(notDomain, "<network><name>default</name></network>");
        e = assertThrows(DomainXmlException.class, () -> DomainDefinition.of(spec("web1", Map.of("domain-xml", notDomain.toString())), TAG));
        assertTrue(e.getMessage().contains("<network>"), e.getMessage());

        Path noOs = dir.resolve("noos.xml");
        Files.writeString(noOs, "<domain type='qemu'><name>x</name></domain>");
        e = assertThrows(DomainXmlException.class, () -> DomainDefinition.of(spec("web1", Map.of("domain-xml", noOs.toString())), TAG));
        assertTrue(e.getMessage().contains("no <os>"), e.getMessage());

        Path hostSmbios = dir.resolve("smbios.xml");
        Files.writeString(hostSmbios, "<domain type='kvm'><name>x</name><os><type>hvm</type><smbios mode='host'/></os></domain>");
        e = assertThrows(DomainXmlException.class, () -> DomainDefinition.of(spec("web1", Map.of("domain-xml", hostSmbios.toString())), TAG));
        assertTrue(e.getMessage().contains("mode='host'") && e.getMessage().contains("sysinfo"), e.getMessage());
    }

    @Test
    void doctypeAndExternalEntitiesAreRefused(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET");
        Path xxe = dir.resolve("xxe.xml");
        Files.writeString(xxe, "<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY s SYSTEM 'file://" + secret + "'>]>\n"
                + "<domain type='qemu'><name>&s;</name><os><type>hvm</type></os></domain>", StandardCharsets.UTF_8);
        DomainXmlException e = assertThrows(DomainXmlException.class,
                () -> DomainDefinition.of(spec("web1", Map.of("domain-xml", xxe.toString())), TAG));
        assertTrue(e.getMessage().contains(xxe.toString()) && e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertFalse(e.getMessage().contains("TOP-SECRET"));
    }

    @Test
    void tagsThatDoNotParseAreNoTags() throws Exception {
        String ns = InstanceTag.NAMESPACE;
        for (String bad : new String[] {"<vmha:instance xmlns:vmha='" + ns + "' epoch='x' instance='i' host='h'/>",
                "<vmha:instance xmlns:vmha='" + ns + "' epoch='1' host='h'/>",
                "<vmha:instance xmlns:vmha='https://elsewhere/1' epoch='1' instance='i' host='h'/>",
                "<instance epoch='1' instance='i' host='h'/>"}) {
            Document doc = DomainXml.parse("<domain><name>x</name><metadata>" + bad + "</metadata></domain>", "t");
            assertTrue(DomainXml.tag(doc).isEmpty(), bad);
        }
        Document none = DomainXml.parse("<domain><name>x</name></domain>", "t");
        assertTrue(DomainXml.tag(none).isEmpty());
    }
}
