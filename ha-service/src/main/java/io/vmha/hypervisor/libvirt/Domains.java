package io.vmha.hypervisor.libvirt;

import io.vmha.core.port.HypervisorException;
import org.w3c.dom.Document;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The virsh operations the driver needs, each failing with virsh's own error message. */
final class Domains {
    /** virsh's words for "no such domain" (libvirt 9.0: "error: failed to get domain 'x'"). */
    private static final String NO_DOMAIN = "failed to get domain";

    private final Virsh virsh;

    Domains(Virsh virsh) { this.virsh = virsh; }

    /** The state of {@code name}, or empty if libvirt has no such domain. Throws if libvirtd cannot say. */
    Optional<DomainState> state(String name) throws HypervisorException {
        Virsh.Result r = call("domstate", "--reason", name);
        if (!r.ok()) {
            if (r.stderr().contains(NO_DOMAIN)) return Optional.empty();
            throw new HypervisorException("domain " + name + ": virsh domstate failed: " + r.error());
        }
        return Optional.of(DomainState.parse(r.stdout()).orElseThrow(() -> new HypervisorException(
                "domain " + name + ": cannot read virsh domstate's answer '" + r.stdout().strip() + "'")));
    }

    /** The domain's XML ({@code inactive}: its persistent definition), or empty if there is no such domain. */
    Optional<Document> xml(String name, boolean inactive) throws HypervisorException {
        Virsh.Result r = inactive ? call("dumpxml", "--inactive", name) : call("dumpxml", name);
        if (!r.ok()) {
            if (r.stderr().contains(NO_DOMAIN)) return Optional.empty();
            throw new HypervisorException("domain " + name + ": virsh dumpxml failed: " + r.error());
        }
        try {
            return Optional.of(DomainXml.parse(r.stdout(), "virsh dumpxml " + name));
        } catch (DomainXmlException e) {
            throw new HypervisorException(e.getMessage(), e);
        }
    }

    /** Names of every domain ({@code all}) or of the active ones only. */
    List<String> names(boolean all) throws HypervisorException {
        Virsh.Result r = all ? call("list", "--all", "--name") : call("list", "--name");
        if (!r.ok()) throw new HypervisorException("virsh list failed: " + r.error());
        List<String> names = new ArrayList<>();
        for (String line : r.stdout().split("\n")) if (!line.isBlank()) names.add(line.strip());
        return names;
    }

    void define(Path xmlFile) throws HypervisorException {
        Virsh.Result r = call("define", xmlFile.toString());
        if (!r.ok()) throw new HypervisorException("virsh define " + xmlFile + " failed: " + r.error());
    }

    void start(String name) throws HypervisorException {
        Virsh.Result r = call("start", name);
        if (!r.ok()) throw new HypervisorException("virsh start " + name + " failed: " + r.error());
    }

    /** Hard power-off, then waits until the domain is no longer active. Already stopped or gone is fine. */
    void destroy(String name, long timeoutMillis) throws HypervisorException {
        Virsh.Result r = call("destroy", name);
        if (!r.ok() && !r.stderr().contains(NO_DOMAIN) && !r.stderr().contains("not running")) {
            // libvirt may still have stopped it (e.g. a timeout on a busy host): the wait below decides
            awaitInactive(name, timeoutMillis, "virsh destroy said: " + r.error());
            return;
        }
        awaitInactive(name, timeoutMillis, "after virsh destroy");
    }

    /** Asks the guest to power off (ACPI); true if it was inactive within {@code timeoutMillis}. */
    boolean shutdown(String name, long timeoutMillis) throws HypervisorException {
        Virsh.Result r = call("shutdown", name);
        if (!r.ok() && !r.stderr().contains("not running")) return false;
        try {
            awaitInactive(name, timeoutMillis, "");
            return true;
        } catch (HypervisorException stillRuns) {
            return false;
        }
    }

    void reset(String name) throws HypervisorException {
        Virsh.Result r = call("reset", name);
        if (!r.ok()) throw new HypervisorException("virsh reset " + name + " failed: " + r.error());
    }

    void resume(String name) throws HypervisorException {
        Virsh.Result r = call("resume", name);
        if (!r.ok()) throw new HypervisorException("virsh resume " + name + " failed: " + r.error());
    }

    /**
     * Removes the persistent definition, but only while it still carries {@code instanceId}: a definition
     * someone else put there since is left alone. Returns what was done, for the journal.
     */
    String undefineIfOurs(String name, String instanceId) throws HypervisorException {
        Optional<Document> config = xml(name, true);
        if (config.isEmpty()) return "no definition left";
        Optional<InstanceTag> tag = DomainXml.tag(config.get());
        if (tag.isEmpty() || !tag.get().instanceId().equals(instanceId)) {
            return "definition left alone: it no longer describes instance " + instanceId;
        }
        Virsh.Result r = call("undefine", name);
        if (!r.ok() && !r.stderr().contains(NO_DOMAIN)) throw new HypervisorException("virsh undefine " + name + " failed: " + r.error());
        return "definition removed";
    }

    Virsh.Result call(String... args) throws HypervisorException {
        try {
            return virsh.run(args);
        } catch (IOException e) {
            throw new HypervisorException(e.getMessage(), e);
        }
    }

    private void awaitInactive(String name, long timeoutMillis, String context) throws HypervisorException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            Optional<DomainState> s = state(name);
            if (s.isEmpty() || !s.get().active()) return;
            if (System.nanoTime() > deadline) {
                throw new HypervisorException("domain " + name + " still " + s.get() + " " + timeoutMillis + " ms "
                        + (context.isEmpty() ? "later" : context));
            }
            sleep(50);
        }
    }

    static void sleep(long millis) throws HypervisorException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted", e);
        }
    }
}
