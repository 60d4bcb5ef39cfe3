package io.vmha.cli;

import io.vmha.agent.Agent;
import io.vmha.config.AgentConfig;
import io.vmha.config.AgentConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the vmha daemon of this host until stopped (SIGTERM/SIGINT).")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The host's YAML config.")
    Path config;

    @Override public Integer call() throws Exception {
        AgentConfig cfg = AgentConfigLoader.load(config);
        Agent agent = new Agent(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "vmha-shutdown"));
        agent.start();
        stopped.await();
        return 0;
    }
}
