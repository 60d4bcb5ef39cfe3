package io.vmha.hypervisor.libvirt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The event stream against a fake virsh (a bash script): parsing, garbage, death and restart with backoff. */
class EventStreamTest {
    @Test
    void deliversEventsSkipsGarbageAndRestartsWithBackoff(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("virsh");
        // Each run prints one event, garbage and a half line, then dies like virsh does when libvirtd goes away.
        Files.writeString(fake, """
                #!/bin/bash
                printf '%s\\n' "$*" >> "$(dirname "$0")/calls"
                echo "event 'lifecycle' for domain 'vm1': Stopped Failed"
                echo "no event here"
                printf "event 'lifecycle' for dom"
                echo "error: Disconnected from qemu:///system due to end of file" >&2
                exit 1
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        LibvirtConfig config = new LibvirtConfig("qemu:///system", fake.toString(), dir, dir, 50, 200, 5_000, 1_000, 5_000);
        Files.createDirectories(config.logsDirectory());
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        List<String> journal = new CopyOnWriteArrayList<>();
        AtomicInteger restarts = new AtomicInteger();
        try (EventStream stream = new EventStream("h1", new Virsh(fake.toString(), "qemu:///system", 5_000), config,
                (source, line) -> journal.add(line), events::add, restarts::incrementAndGet)) {
            stream.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (events.size() < 4 || restarts.get() < 3) {
                if (System.nanoTime() > deadline) fail("events " + events + ", journal " + journal);
                Thread.sleep(20);
            }
        }
        for (LifecycleEvent e : events) assertEquals(new LifecycleEvent("vm1", "Stopped", "Failed"), e);
        assertTrue(Files.readString(dir.resolve("calls")).startsWith("-q -c qemu:///system event --loop --event lifecycle"));
        String ended = journal.stream().filter(l -> l.contains("ended with exit 1")).findFirst().orElseThrow(() -> new AssertionError(journal));
        assertTrue(ended.contains("error: Disconnected from qemu:///system") && ended.contains("restarting it in 50 ms"), ended);
        assertTrue(journal.stream().anyMatch(l -> l.contains("restarting it in 100 ms")), "backoff doubles: " + journal);
        assertTrue(journal.stream().anyMatch(l -> l.contains("restarting it in 200 ms")), "up to the cap: " + journal);
        assertTrue(journal.stream().noneMatch(l -> l.contains("restarting it in 400 ms")), "never past the cap: " + journal);
        assertTrue(journal.stream().anyMatch(l -> l.startsWith("libvirt event stream restarted (virsh pid ")), journal.toString());
    }
}
