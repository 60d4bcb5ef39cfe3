package io.vmha.hypervisor.libvirt;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines captured from {@code virsh event --loop --event lifecycle [--timestamp]} of libvirt 9.0 on Debian 12. */
class LifecycleEventTest {
    static List<String> sample(String name) throws IOException {
        try (InputStream in = LifecycleEventTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void everyCapturedEventLineParsesAndTheClosingLinesDoNot() throws IOException {
        List<String> lines = sample("virsh-event.txt");
        List<LifecycleEvent> events = lines.stream().map(LifecycleEvent::parse).flatMap(Optional::stream).toList();
        assertEquals(27, events.size(), "event lines in the capture");
        assertEquals(new LifecycleEvent("vmha-t1", "Stopped", "Failed"), events.get(0)); // kill -9 of qemu
        assertEquals(new LifecycleEvent("vmha-t1", "Shutdown", "Finished after host request"), events.get(3));
        assertEquals(new LifecycleEvent("vmha-t1", "Crashed", "Panicked"), events.get(10));
        assertTrue(events.get(0).stopped());
        for (String closing : lines.subList(27, lines.size())) {
            assertEquals(Optional.empty(), LifecycleEvent.parse(closing), closing);
        }
    }

    @Test
    void timestampedLinesParseTheSame() throws IOException {
        List<String> lines = sample("virsh-event-timestamp.txt");
        for (String line : lines) assertTrue(LifecycleEvent.parse(line).isPresent(), line);
        assertEquals(new LifecycleEvent("vmha-t1", "Stopped", "Failed"), LifecycleEvent.parse(lines.get(0)).orElseThrow());
        assertEquals(new LifecycleEvent("vmha-t2", "Undefined", "Removed"),
                LifecycleEvent.parse(lines.get(lines.size() - 1)).orElseThrow());
    }

    @Test
    void malformedLinesAreIgnored() {
        for (String bad : new String[] {null, "", "   ", "garbage", "event 'lifecycle' for domain", "event 'lifecycle' for domain 'vm",
                "event 'lifecycle' for domain 'vm1':", "event 'lifecycle' for domain 'vm1': ", "event 'reboot' for domain 'vm1'",
                "event 'lifecycle' for domain '': Stopped Failed", "event 'lifecycle' for domain 'vm1': 42 Failed",
                "error: Disconnected from qemu:///system due to end of file"}) {
            assertEquals(Optional.empty(), LifecycleEvent.parse(bad), String.valueOf(bad));
        }
    }

    @Test
    void eventWithoutDetailAndTrailingSpaceParse() {
        assertEquals(new LifecycleEvent("vm1", "Stopped", ""), LifecycleEvent.parse("event 'lifecycle' for domain 'vm1': Stopped").orElseThrow());
        assertEquals(new LifecycleEvent("vm1", "Stopped", "Failed"),
                LifecycleEvent.parse("event 'lifecycle' for domain 'vm1': Stopped Failed  \r").orElseThrow());
        assertEquals(new LifecycleEvent("it's", "Started", "Booted"),
                LifecycleEvent.parse("event 'lifecycle' for domain 'it's': Started Booted").orElseThrow());
    }
}
