package io.vmha.cli;

import io.vmha.config.ConfigException;
import io.vmha.core.InvalidInputException;
import io.vmha.core.port.CoordinationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vmha} command line. Exit codes: 0 ok, 1 failed, 2 bad input, 3 coordinator unreachable. */
@Command(name = "vmha", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "High availability for virtual machines: restarts crashed VMs and the VMs of failed hosts, "
                + "and never runs one VM twice.",
        subcommands = {AgentCommand.class, DemoCommand.class, StatusCommand.class, VmCommand.class, EventsCommand.class,
                CheckCommand.class, HeartbeatCommand.class, PkiCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int UNREACHABLE = 3;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof InvalidInputException || e instanceof ConfigException || e instanceof io.vmha.migration.tunnel.TunnelConfigException) {
                line.getErr().println("vmha: " + e.getMessage());
                return BAD_INPUT;
            }
            if (e instanceof CoordinationException) {
                line.getErr().println("vmha: " + e.getMessage());
                return UNREACHABLE;
            }
            line.getErr().println("vmha: " + e);
            return FAILED;
        });
        return cli.execute(args);
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vmha " + (v == null ? "(development build)" : v)};
        }
    }
}
