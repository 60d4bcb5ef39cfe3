package io.vmha.hypervisor.libvirt;

import io.vmha.core.port.HypervisorException;
import io.vmha.core.port.Journal;
import org.w3c.dom.Document;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a driver finds in libvirt when it starts: the domains whose vmha metadata names this host.
 * Active ones are its running instances (epoch and instance id from the metadata). Inactive ones stopped
 * while no driver watched; their definitions are removed, as after any acknowledged exit, and the
 * decision loop restarts them if this host still owns them.
 */
final class Adoption {
    /** A running domain this host started earlier. */
    record Found(String vm, InstanceTag tag, boolean guestAgent, DomainState state) {}

    private Adoption() {}

    static List<Found> scan(String host, Domains domains, Journal journal) throws HypervisorException {
        List<Found> found = new ArrayList<>();
        for (String name : domains.names(true)) {
            Optional<Document> xml = domains.xml(name, false);
            if (xml.isEmpty()) continue; // undefined meanwhile
            Optional<InstanceTag> tag = DomainXml.tag(xml.get());
            if (tag.isEmpty() || !tag.get().host().equals(host)) continue; // not vmha's, or another host's
            Optional<DomainState> state = domains.state(name);
            if (state.isEmpty()) continue;
            if (state.get().active()) {
                found.add(new Found(name, tag.get(), DomainXml.hasGuestAgentChannel(xml.get()), state.get()));
            } else {
                String done = domains.undefineIfOurs(name, tag.get().instanceId());
                journal.record(host, "vm " + name + ": instance " + tag.get().instanceId() + " stopped while no vmha"
                        + " driver watched (libvirt: " + state.get() + "); " + done);
            }
        }
        return found;
    }
}
