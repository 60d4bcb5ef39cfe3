package io.vmha.cli;

import io.vmha.config.ConfigException;
import io.vmha.config.VmSpecLoader;
import io.vmha.coordination.PoolAdmin;
import io.vmha.core.InvalidInputException;
import io.vmha.core.VmSpec;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "vm", mixinStandardHelpOptions = true, description = "Register, remove and list protected VMs.",
        subcommands = {VmCommand.Add.class, VmCommand.Remove.class, VmCommand.ListVms.class, VmMigrateCommand.class})
final class VmCommand {
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Register a VM; the pool master places and starts it.",
                    "With --spec FILE.yaml the file gives name, memory-mib, vcpus, driver, params, ha, prefer and health "
                            + "(guest-heartbeat, probes, restart); flags given as well override the file."})
    static final class Add implements Callable<Integer> {
        @Mixin PoolOptions pool;
        @Parameters(index = "0", paramLabel = "NAME", arity = "0..1", description = "The VM's name (or the spec file's).") String name;
        @Option(names = "--spec", paramLabel = "FILE.yaml", description = "A VM spec file.") Path specFile;
        @Option(names = "--memory-mib", description = "Memory in MiB (required without --spec).") Long memoryMib;
        @Option(names = "--vcpus", description = "Virtual CPUs (default: 1).") Integer vcpus;
        @Option(names = "--driver", description = "Hypervisor driver (default: sim).") String driver;
        @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Driver parameter; repeatable.")
        Map<String, String> params = new TreeMap<>();
        @Option(names = "--no-ha", description = "Do not restart it after a crash or a host failure.") boolean noHa;
        @Option(names = "--prefer", split = ",", paramLabel = "HOST", description = "Preferred hosts, comma-separated.")
        List<String> prefer = new ArrayList<>();
        @Option(names = "--network", paramLabel = "NAME",
                description = "Logical network the VM needs (a host NIC must carry it, see health.nics); repeatable.")
        List<String> networks = new ArrayList<>();

        @Override public Integer call() throws Exception {
            VmSpec spec = io.vmha.hypervisor.DriverParams.check(spec()); // validates first, driver params too
            try (CuratorFramework client = pool.connect()) {
                new PoolAdmin(client, pool.pool).addVm(spec);
            }
            System.out.println("registered vm " + spec.name() + " in pool " + pool.pool);
            return 0;
        }

        VmSpec spec() throws ConfigException {
            if (specFile == null) {
                if (name == null) throw new InvalidInputException("NAME", null, "the VM's name (or --spec FILE.yaml)");
                if (memoryMib == null) throw new InvalidInputException("--memory-mib", null, "memory in MiB (or --spec FILE.yaml)");
                return new VmSpec(name, memoryMib, vcpus == null ? 1 : vcpus, driver == null ? "sim" : driver, params,
                        !noHa, prefer, networks);
            }
            VmSpec f = VmSpecLoader.load(specFile);
            if (name != null && !name.equals(f.name())) {
                throw new InvalidInputException("NAME", name, "the name in " + specFile + " (\"" + f.name() + "\") or none");
            }
            Map<String, String> allParams = new TreeMap<>(f.driverParams());
            allParams.putAll(params);
            return new VmSpec(f.name(), memoryMib != null ? memoryMib : f.memoryMib(), vcpus != null ? vcpus : f.vcpus(),
                    driver != null ? driver : f.driver(), allParams, f.haEnabled() && !noHa,
                    prefer.isEmpty() ? f.preferredHosts() : prefer, networks.isEmpty() ? f.networks() : networks, f.health());
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Unregister a VM; its owner host stops it.")
    static final class Remove implements Callable<Integer> {
        @Mixin PoolOptions pool;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override public Integer call() throws Exception {
            try (CuratorFramework client = pool.connect()) {
                new PoolAdmin(client, pool.pool).removeVm(name);
            }
            System.out.println("removed vm " + name + " from pool " + pool.pool + "; its owner stops it");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List registered VMs and their state.")
    static final class ListVms implements Callable<Integer> {
        @Mixin PoolOptions pool;
        @Option(names = "--json", description = "Print JSON.") boolean json;

        @Override public Integer call() throws Exception {
            try (CuratorFramework client = pool.connect()) {
                PoolAdmin.PoolStatus s = new PoolAdmin(client, pool.pool).status();
                if (json) {
                    Map<String, Object> out = new TreeMap<>();
                    Map<String, io.vmha.core.Ownership> owners = s.ownerMap();
                    s.vmMap().forEach((vm, spec) -> out.put(vm, Map.of("spec", spec,
                            "owner", owners.containsKey(vm) ? owners.get(vm) : Map.of())));
                    System.out.println(Json.write(out));
                } else {
                    String table = StatusCommand.render(s);
                    System.out.print(table.substring(table.indexOf("VM ")));
                }
                return 0;
            }
        }
    }
}
