package io.vmha.cli;

import io.vmha.checker.DoubleRunChecker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Read sim VMs' disk histories and report any VM that ran twice at the same time. "
                + "Independent of vmha's own records. Exit 1 if a double run is found.")
final class CheckCommand implements Callable<Integer> {
    @Option(names = "--disks", required = true, paramLabel = "DIR", description = "The pool's shared disks directory.")
    Path disks;

    @Override public Integer call() throws Exception {
        DoubleRunChecker.Result result = DoubleRunChecker.check(disks);
        System.out.println(DoubleRunChecker.describe(result));
        return result.doubleRuns().isEmpty() ? 0 : Main.FAILED;
    }
}
