package io.vmha.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged {@code vmha.jar} as a real process, the way an operator would. */
public final class JarRunner {
    public record Result(int exit, String output) {}

    private JarRunner() {}

    public static Path jar() {
        Path jar = Path.of(System.getProperty("vmha.jar", "target/vmha.jar"));
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("vmha.jar not built at " + jar + "; run mvn verify");
        return jar;
    }

    public static ProcessBuilder builder(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    public static Result run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("vmha-out", ".txt");
        Process p = builder(args).redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("vmha " + String.join(" ", args) + " did not finish in " + timeoutSeconds
                    + " s; output:\n" + Files.readString(out));
        }
        String text = Files.readString(out);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }
}
