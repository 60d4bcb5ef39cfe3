package io.vmha.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vmha.core.HealthPolicy;
import java.io.UncheckedIOException;

/** Writes every key, defaults included, so a written file shows exactly what the agent will run with. */
final class AgentConfigWriter {
    // Strings are always quoted, so a name like "123" or "true" reads back as the same string.
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    private AgentConfigWriter() {}

    static String toYaml(AgentConfig config) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("pool", config.pool());
        ObjectNode host = root.putObject("host");
        host.put("name", config.host().name());
        ObjectNode capacity = host.putObject("capacity");
        capacity.put("memory-mib", config.host().capacity().memoryMib());
        capacity.put("vcpus", config.host().capacity().vcpus());

        ObjectNode zookeeper = root.putObject("zookeeper");
        zookeeper.put("connect", config.zookeeper().connect());
        zookeeper.put("session-timeout-ms", config.zookeeper().sessionTimeoutMs());
        zookeeper.put("connection-timeout-ms", config.zookeeper().connectionTimeoutMs());

        ObjectNode fencing = root.putObject("fencing");
        fencing.put("stop-deadline-ms", config.fencing().stopDeadlineMs());
        fencing.put("safety-margin-ms", config.fencing().safetyMarginMs());
        fencing.put("guard", config.fencing().guard());

        ObjectNode restart = root.putObject("restart");
        restart.put("max-restarts", config.restart().maxRestarts());
        restart.put("window-seconds", config.restart().windowSeconds());
        restart.put("max-relocations", config.restart().maxRelocations());

        ObjectNode hypervisor = root.putObject("hypervisor");
        hypervisor.put("driver", config.hypervisor().driver());
        if (config.hypervisor().sim() != null) {
            ObjectNode sim = hypervisor.putObject("sim");
            sim.put("shared-dir", config.hypervisor().sim().sharedDir().toString());
            sim.put("state-dir", config.hypervisor().sim().stateDir().toString());
        }
        if (config.hypervisor().qemu() != null) {
            ObjectNode qemu = hypervisor.putObject("qemu");
            qemu.put("binary", config.hypervisor().qemu().binary());
            qemu.put("run-dir", config.hypervisor().qemu().runDir().toString());
            qemu.put("stop-timeout-ms", config.hypervisor().qemu().stopTimeoutMillis());
            qemu.put("start-timeout-ms", config.hypervisor().qemu().startTimeoutMillis());
        }
        if (config.hypervisor().libvirt() != null) {
            io.vmha.hypervisor.libvirt.LibvirtConfig l = config.hypervisor().libvirt();
            ObjectNode libvirt = hypervisor.putObject("libvirt");
            libvirt.put("uri", l.uri());
            libvirt.put("virsh", l.virsh());
            libvirt.put("run-directory", l.runDirectory().toString());
            libvirt.put("pid-directory", l.pidDirectory().toString());
            libvirt.put("event-restart-min-ms", l.eventRestartMinMillis());
            libvirt.put("event-restart-max-ms", l.eventRestartMaxMillis());
            libvirt.put("poll-interval-ms", l.pollIntervalMillis());
            libvirt.put("stop-timeout-ms", l.stopTimeoutMillis());
            libvirt.put("command-timeout-ms", l.commandTimeoutMillis());
        }

        root.putObject("loop").put("interval-ms", config.loop().intervalMs());
        if (config.heartbeat().configured()) {
            ObjectNode heartbeat = root.putObject("heartbeat");
            heartbeat.put("device", config.heartbeat().device().toString());
            heartbeat.put("interval-ms", config.heartbeat().intervalMs());
            heartbeat.put("timeout-ms", config.heartbeat().timeoutMs());
        }
        writeHealth(root, config.health());
        if (config.migration().configured()) {
            MigrationConfig m = config.migration();
            ObjectNode migration = root.putObject("migration");
            migration.put("pki-dir", m.pkiDir().toString());
            migration.put("listen", m.listen());
            if (!m.advertise().isEmpty()) migration.put("advertise", m.advertise());
            migration.put("max-per-host", m.maxPerHost());
            migration.put("timeout-ms", m.timeoutMs());
            migration.put("bandwidth-mib", m.bandwidthMib());
            migration.put("max-downtime-ms", m.maxDowntimeMs());
        }
        ObservabilityConfigLoader.write(root, config.observability());
        try {
            return "# vmha agent configuration for host " + config.host().name() + " in pool " + config.pool()
                    + "; vmha-example.yaml explains every key.\n" + MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of strings and numbers always serialises
        }
    }

    private static void writeHealth(ObjectNode root, HealthPolicy health) {
        if (!health.monitorsAnything()) return;
        ObjectNode node = root.putObject("health");
        ArrayNode nics = node.putArray("nics");
        for (HealthPolicy.Nic n : health.nics()) {
            ObjectNode nic = nics.addObject();
            nic.put("name", n.name());
            ArrayNode networks = nic.putArray("networks");
            n.networks().forEach(networks::add);
            nic.put("action", n.action().configName());
            nic.put("failures", n.failures());
            nic.put("interval-ms", n.intervalMs());
        }
        ArrayNode reach = node.putArray("reachability");
        for (HealthPolicy.Reachability r : health.reachability()) {
            ObjectNode entry = reach.addObject();
            entry.put("address", r.address());
            entry.put("interval-seconds", r.intervalMs() / 1000);
            entry.put("timeout-ms", r.timeoutMs());
            entry.put("failures", r.failures());
            entry.put("action", r.action().configName());
        }
        health.diskLatency().ifPresent(d -> {
            ObjectNode disk = node.putObject("disk-latency");
            disk.put("warn-ms", d.warnMs());
            disk.put("failures", d.failures());
            disk.put("action", d.action().configName());
        });
    }
}
