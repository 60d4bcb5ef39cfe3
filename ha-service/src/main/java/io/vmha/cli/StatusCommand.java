package io.vmha.cli;

import io.vmha.coordination.EndpointRegistry;
import io.vmha.coordination.PoolAdmin;
import io.vmha.core.HostRecord;
import io.vmha.core.Ownership;
import io.vmha.core.VmSpec;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the pool: hosts, master, and every VM with its owner, state and epoch.")
final class StatusCommand implements Callable<Integer> {
    @Mixin PoolOptions pool;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Override public Integer call() throws Exception {
        try (CuratorFramework client = pool.connect()) {
            PoolAdmin.PoolStatus s = new PoolAdmin(client, pool.pool).status();
            java.util.SortedMap<String, EndpointRegistry.Endpoints> endpoints = EndpointRegistry.read(client, pool.pool);
            if (json) {
                Map<String, Object> out = Json.MAPPER.convertValue(s, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
                out.put("endpoints", endpoints);
                System.out.println(Json.write(out));
            } else {
                System.out.println(render(s) + renderEndpoints(endpoints));
            }
            return 0;
        }
    }

    /** Where each live host's Jolokia (JMX over HTTP) and Prometheus metrics are; empty when no host publishes any. */
    static String renderEndpoints(java.util.SortedMap<String, EndpointRegistry.Endpoints> endpoints) {
        if (endpoints.isEmpty()) return "";
        StringBuilder out = new StringBuilder(String.format("%n%-16s %-40s %s%n", "HOST", "JOLOKIA", "PROMETHEUS"));
        endpoints.forEach((host, e) -> out.append(String.format("%-16s %-40s %s%n", host,
                e.jolokia().isEmpty() ? "-" : e.jolokia(), e.prometheus().isEmpty() ? "-" : e.prometheus())));
        return out.toString();
    }

    static String render(PoolAdmin.PoolStatus s) {
        StringBuilder out = new StringBuilder();
        Map<String, VmSpec> vms = s.vmMap();
        Map<String, Ownership> owners = s.ownerMap();
        out.append("pool ").append(s.pool()).append("   master ").append(s.master().isEmpty() ? "(none)" : s.master())
                .append('\n').append(io.vmha.demo.StatusLine.of(s)).append("\n\n");
        out.append(String.format("%-16s %-8s %12s %14s %5s  %s%n", "HOST", "STATE", "MEMORY_MIB", "USED_MIB", "VMS", "NETWORKS"));
        for (HostRecord h : s.members()) {
            long used = 0;
            int count = 0;
            for (Ownership o : s.owners()) {
                VmSpec spec = vms.get(o.vm());
                if (o.ownedBy(h.name()) && o.state().holdsCapacity() && spec != null) {
                    used += spec.memoryMib();
                    count++;
                }
            }
            out.append(String.format("%-16s %-8s %12d %14d %5d  %s%n", h.name(), h.state(), h.capacity().memoryMib(), used,
                    count, h.networks().isEmpty() ? "-" : String.join(",", h.networks())));
        }
        // Alarms under the table: degraded/evacuating hosts and lost networks are what an operator must see first.
        for (HostRecord h : s.members()) {
            for (String alarm : h.alarms()) out.append("alarm ").append(h.name()).append(": ").append(alarm).append('\n');
        }
        out.append('\n').append(String.format("%-16s %-9s %-16s %6s %-3s %10s %-12s  %s%n",
                "VM", "STATE", "HOST", "EPOCH", "HA", "MEMORY_MIB", "NETWORKS", "REASON"));
        for (Map.Entry<String, VmSpec> e : vms.entrySet()) {
            Ownership o = owners.get(e.getKey());
            List<String> networks = e.getValue().networks();
            out.append(String.format("%-16s %-9s %-16s %6s %-3s %10d %-12s  %s%n", e.getKey(),
                    o == null ? "NEW" : o.state(), o == null || o.host().isEmpty() ? "-" : o.host(),
                    o == null ? "-" : String.valueOf(o.epoch()), e.getValue().haEnabled() ? "yes" : "no",
                    e.getValue().memoryMib(), networks.isEmpty() ? "-" : String.join(",", networks), o == null ? "" : o.reason()));
        }
        List<String> migrations = MigrationProgress.statusLines(s);
        if (!migrations.isEmpty()) out.append('\n');
        for (String line : migrations) out.append(line).append('\n');
        for (String problem : s.problems()) out.append("problem: ").append(problem).append('\n');
        return out.toString();
    }
}
