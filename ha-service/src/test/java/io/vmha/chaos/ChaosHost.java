package io.vmha.chaos;

import io.vmha.demo.TcpProxy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One vmha host of a chaos run, started the way {@code io.vmha.demo.HostProcess} does it: the agent JVM
 * in its own process group ({@code setsid}), so that a power loss is one SIGKILL to the group, daemon and
 * VMs together. Its ZooKeeper traffic goes through its own {@link TcpProxy} per ensemble server, which is
 * how the harness partitions this one host from the whole ensemble.
 */
final class ChaosHost {
    final String name;
    final Path config;
    final Path log;
    final Path stateDir;
    private final Path jar;
    private final List<TcpProxy> proxies;
    private Process process;
    private int starts;
    /** Every process group this host ever had: a group can outlive its leader (VMs of a killed daemon). */
    private final List<Long> groups = new ArrayList<>();

    ChaosHost(String name, Path config, Path log, Path stateDir, Path jar, List<TcpProxy> proxies) {
        this.name = name;
        this.config = config;
        this.log = log;
        this.stateDir = stateDir;
        this.jar = jar;
        this.proxies = List.copyOf(proxies);
    }

    /** The connect string this host's config uses: its own proxies, one per ensemble server. */
    static String connect(List<TcpProxy> proxies) {
        return String.join(",", proxies.stream().map(TcpProxy::address).toList());
    }

    void start() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("setsid", java,
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-cp", jar.toString(), "io.vmha.cli.Main", "agent", "--config", config.toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        starts++;
        groups.add(process.pid());
    }

    int starts() { return starts; }

    boolean alive() { return process != null && process.isAlive(); }

    long pid() { return process.pid(); }

    /** Power loss: SIGKILL to the process group, daemon and every VM at once. */
    void crash() throws IOException, InterruptedException {
        if (process == null) return;
        Signals.group(process.pid(), "KILL");
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** kill -9 of the daemon alone; its VMs live on only as long as the driver lets them. */
    void killDaemon() throws IOException, InterruptedException {
        if (process == null) return;
        Signals.process(process.pid(), "KILL");
        process.waitFor(10, TimeUnit.SECONDS);
    }

    void pause() throws IOException, InterruptedException { Signals.process(process.pid(), "STOP"); }

    void resume() throws IOException, InterruptedException { Signals.process(process.pid(), "CONT"); }

    /** Cut this host from every ZooKeeper server: its daemon only learns it from timeouts. */
    void partition() { proxies.forEach(TcpProxy::partition); }

    void heal() { proxies.forEach(TcpProxy::heal); }

    /**
     * Fence-guard processes of this host: in its process group or below its daemon, with "guard" in the
     * file name of one of its arguments (the script {@code .../vmha-fence-guard}; not a directory that
     * happens to be called so, and not a sim VM, whose arguments name the VM's disk).
     */
    List<Signals.Proc> guards() {
        List<Signals.Proc> found = new ArrayList<>();
        if (!alive()) return found;
        List<Long> seen = new ArrayList<>();
        for (Signals.Proc p : Signals.inGroup(process.pid())) {
            if (isGuard(p)) { found.add(p); seen.add(p.pid()); }
        }
        process.toHandle().descendants().forEach(h -> {
            if (seen.contains(h.pid())) return;
            List<String> argv = new ArrayList<>();
            h.info().command().ifPresent(argv::add);
            h.info().arguments().ifPresent(a -> argv.addAll(List.of(a)));
            Signals.Proc p = new Signals.Proc(h.pid(), argv);
            if (isGuard(p)) found.add(p);
        });
        return found;
    }

    private boolean isGuard(Signals.Proc p) {
        if (p.pid() == process.pid()) return false;
        for (String arg : p.argv()) {
            String file = arg.substring(arg.lastIndexOf('/') + 1);
            if (!file.contains("\n") && file.toLowerCase(Locale.ROOT).contains("guard")) return true;
        }
        return false;
    }

    /**
     * End of a run: SIGKILL to the current group, then to any process left in an earlier group of this
     * host whose command line names {@code marker} (the run directory), so a recycled pid is never hit.
     */
    void destroy(String marker) {
        if (process == null) return;
        try {
            if (process.isAlive()) Signals.group(process.pid(), "KILL");
            process.waitFor(10, TimeUnit.SECONDS);
            for (long g : groups) {
                for (Signals.Proc p : Signals.inGroup(g)) {
                    if (p.cmdline().contains(marker)) Signals.process(p.pid(), "KILL");
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void closeProxies() { proxies.forEach(TcpProxy::close); }
}
