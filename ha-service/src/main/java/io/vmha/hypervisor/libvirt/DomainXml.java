package io.vmha.hypervisor.libvirt;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Domain XML through the JDK's DOM, hardened: no DOCTYPE (so no external entities, no entity expansion
 * bombs), no XInclude, no external DTD or stylesheet access. Also the edits the driver makes to every
 * domain, built-in or the operator's: its name, the vmha metadata and the process marker.
 */
public final class DomainXml {
    /** The SMBIOS OEM string (type 11) every vmha domain carries; see {@link #MARKER_ARGUMENT}. */
    public static final String OEM_MARKER = "vmha.io/libvirt";
    /**
     * How libvirt puts {@link #OEM_MARKER} on the qemu command line: one argv element
     * {@code type=11,value=vmha.io/libvirt} (after {@code -smbios}), whatever the domain's name.
     */
    public static final String MARKER_ARGUMENT = "type=11,value=" + OEM_MARKER;
    public static final String GUEST_AGENT_CHANNEL = "org.qemu.guest_agent.0";

    private DomainXml() {}

    /** Parses {@code xml}; {@code what} names its origin (a file, "virsh dumpxml vm1") in the error. */
    public static Document parse(String xml, String what) throws DomainXmlException {
        try {
            DocumentBuilder builder = factory().newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler() { // the default handler prints to stderr
                @Override
                public void error(SAXParseException e) throws SAXException { throw e; }
            });
            Document doc = builder.parse(new InputSource(new StringReader(xml)));
            Element root = doc.getDocumentElement();
            if (!"domain".equals(localName(root)) || root.getNamespaceURI() != null) {
                throw new DomainXmlException(what + ": the root element is <" + root.getTagName() + ">, expected <domain>");
            }
            return doc;
        } catch (SAXParseException e) {
            throw new DomainXmlException(what + ": line " + e.getLineNumber() + ", column " + e.getColumnNumber()
                    + ": " + e.getMessage(), e);
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new DomainXmlException(what + ": " + e.getMessage(), e);
        }
    }

    public static String serialize(Document doc) {
        dropIndentation(doc.getDocumentElement()); // else the indenting transformer doubles the old indentation
        try {
            TransformerFactory tf = TransformerFactory.newInstance();
            tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            Transformer t = tf.newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.setOutputProperty(OutputKeys.INDENT, "yes");
            StringWriter out = new StringWriter();
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot serialize domain XML: " + e.getMessage(), e);
        }
    }

    /**
     * The driver's edits: {@code <name>} becomes {@code vm}, {@code <metadata>} holds exactly one
     * {@code vmha:instance} (any earlier one is replaced) and the SMBIOS OEM marker is present.
     */
    public static void stamp(Document doc, String vm, InstanceTag tag, String what) throws DomainXmlException {
        Element root = doc.getDocumentElement();
        Element name = child(root, "name").orElseGet(() -> (Element) root.insertBefore(doc.createElementNS(null, "name"), root.getFirstChild()));
        name.setTextContent(vm);

        Element metadata = child(root, "metadata").orElseGet(() -> (Element) root.appendChild(doc.createElementNS(null, "metadata")));
        for (Element old : childrenNs(metadata, InstanceTag.NAMESPACE, InstanceTag.ELEMENT)) metadata.removeChild(old);
        Element instance = doc.createElementNS(InstanceTag.NAMESPACE, InstanceTag.PREFIX + ":" + InstanceTag.ELEMENT);
        instance.setAttribute("epoch", Long.toString(tag.epoch()));
        instance.setAttribute("instance", tag.instanceId());
        instance.setAttribute("host", tag.host());
        metadata.appendChild(instance);

        addMarker(doc, what);
    }

    /**
     * The marker rides on an SMBIOS OEM string, which libvirt passes to qemu only with
     * {@code <os><smbios mode='sysinfo'/>}; an operator's other smbios mode would drop it, so it is refused.
     */
    private static void addMarker(Document doc, String what) throws DomainXmlException {
        Element root = doc.getDocumentElement();
        Element os = child(root, "os").orElseThrow(() -> new DomainXmlException(what + ": <domain> has no <os> element"));
        Optional<Element> smbios = child(os, "smbios");
        if (smbios.isPresent() && !"sysinfo".equals(smbios.get().getAttribute("mode"))) {
            throw new DomainXmlException(what + ": <os><smbios mode='" + smbios.get().getAttribute("mode")
                    + "'/> is not accepted; vmha needs mode='sysinfo' (or no <smbios>) to put its process marker "
                    + OEM_MARKER + " in an SMBIOS OEM string");
        }
        smbios.orElseGet(() -> (Element) os.appendChild(doc.createElementNS(null, "smbios"))).setAttribute("mode", "sysinfo");

        Element sysinfo = null;
        for (Element e : children(root, "sysinfo")) if ("smbios".equals(e.getAttribute("type"))) sysinfo = e;
        if (sysinfo == null) {
            sysinfo = (Element) root.insertBefore(doc.createElementNS(null, "sysinfo"), os);
            sysinfo.setAttribute("type", "smbios");
        }
        Optional<Element> existing = child(sysinfo, "oemStrings");
        Element oem = existing.isPresent() ? existing.get() : (Element) sysinfo.appendChild(doc.createElementNS(null, "oemStrings"));
        for (Element entry : children(oem, "entry")) if (OEM_MARKER.equals(entry.getTextContent().trim())) return;
        oem.appendChild(doc.createElementNS(null, "entry")).setTextContent(OEM_MARKER);
    }

    /** The vmha tag of a domain, if it carries one that parses. */
    public static Optional<InstanceTag> tag(Document doc) {
        Optional<Element> metadata = child(doc.getDocumentElement(), "metadata");
        if (metadata.isEmpty()) return Optional.empty();
        for (Element e : childrenNs(metadata.get(), InstanceTag.NAMESPACE, InstanceTag.ELEMENT)) {
            try {
                long epoch = Long.parseLong(e.getAttribute("epoch"));
                String instance = e.getAttribute("instance");
                String host = e.getAttribute("host");
                if (!instance.isEmpty() && !host.isEmpty()) return Optional.of(new InstanceTag(epoch, instance, host));
            } catch (NumberFormatException notOurs) {
                // a damaged tag is treated as no tag: such a domain is never adopted
            }
        }
        return Optional.empty();
    }

    /** The domain's {@code <name>}, "" if none. */
    public static String name(Document doc) {
        return child(doc.getDocumentElement(), "name").map(e -> e.getTextContent().trim()).orElse("");
    }

    /** True if the domain has a virtio channel named {@value #GUEST_AGENT_CHANNEL}: pingGuest can ask its agent. */
    public static boolean hasGuestAgentChannel(Document doc) {
        Optional<Element> devices = child(doc.getDocumentElement(), "devices");
        if (devices.isEmpty()) return false;
        for (Element channel : children(devices.get(), "channel")) {
            for (Element target : children(channel, "target")) {
                if (GUEST_AGENT_CHANNEL.equals(target.getAttribute("name"))) return true;
            }
        }
        return false;
    }

    // ---- DOM helpers -------------------------------------------------------------------------------

    static Optional<Element> child(Element parent, String name) {
        List<Element> all = children(parent, name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element && n.getNamespaceURI() == null && name.equals(localName(n))) out.add((Element) n);
        }
        return out;
    }

    /** Removes whitespace-only text between elements; domain XML has no mixed content where it matters. */
    private static void dropIndentation(Element e) {
        NodeList nodes = e.getChildNodes();
        boolean hasElements = false;
        for (int i = 0; i < nodes.getLength(); i++) hasElements |= nodes.item(i) instanceof Element;
        if (!hasElements) return; // keep the text of a leaf, even if blank
        for (int i = nodes.getLength() - 1; i >= 0; i--) {
            Node n = nodes.item(i);
            if (n.getNodeType() == Node.TEXT_NODE && n.getTextContent().isBlank()) e.removeChild(n);
            else if (n instanceof Element) dropIndentation((Element) n);
        }
    }

    /** DOM level 1 nodes (createElement) have no local name: their node name is it. */
    private static String localName(Node n) {
        return n.getLocalName() != null ? n.getLocalName() : n.getNodeName();
    }

    private static List<Element> childrenNs(Element parent, String namespace, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element && namespace.equals(n.getNamespaceURI()) && name.equals(n.getLocalName())) {
                out.add((Element) n);
            }
        }
        return out;
    }

    private static DocumentBuilderFactory factory() throws DomainXmlException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        } catch (ParserConfigurationException e) {
            throw new DomainXmlException("the JDK's XML parser refuses the hardening features: " + e.getMessage(), e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f;
    }
}
