package io.vmha.system.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmha.demo.JarRunner;
import io.vmha.system.SystemTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged jar's {@code demo --driver qemu --scenario guest-hang}, as an operator runs it: real qemu (TCG)
 * booting the tiny guest, a real hang inside it through the guest agent, judged by the demo from outside.
 * Checks the report (exit 0, no double run, every check true, latency within its bounds) and that no qemu
 * process of the run outlives it.
 */
class QemuGuestHangDemoIT {
    /** The demo's failure interval (QemuGuestHang.FAILURE_SECONDS): no reset can come sooner after the hang. */
    static final double FAILURE_SECONDS = 5;
    /** Failure interval + ping interval + the recipe's 1 s delay + a loaded 2-core machine. */
    static final double MAX_DETECTION_SECONDS = 15;
    static final List<String> CHECKS = List.of("guests_booted", "hang_injected", "reset_in_place_same_host_same_epoch",
            "same_qemu_process", "guest_booted_again_and_answers_agent", "one_reset_per_hung_vm_and_no_other",
            "one_qemu_instance_per_vm_throughout");

    @TempDir Path tmp;
    /** Every qemu process seen under the demo, killed after the test whatever happened. */
    final Set<ProcessHandle> qemus = ConcurrentHashMap.newKeySet();

    @AfterEach
    void killLeftovers() {
        qemus.forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void hungRealGuestsAreResetInPlaceByTheirOwnHosts() throws Exception {
        SystemTools.require("qemu-system-x86_64", "qemu-system-x86");
        SystemTools.require("qemu-ga", "qemu-guest-agent");
        SystemTools.require("busybox", "busybox-static");
        SystemTools.require("chrt", "util-linux");
        SystemTools.require("cpio", "cpio");
        SystemTools.require("modprobe", "kmod");
        Path report = tmp.resolve("report.json");
        Path output = tmp.resolve("output.txt");
        Process p = JarRunner.builder("demo", "--driver", "qemu", "--scenario", "guest-hang", "--failures", "2",
                "--seed", "5", "--report", report.toString(), "--dir", tmp.resolve("demo").toString())
                .redirectOutput(output.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(420);
        while (p.isAlive() && System.nanoTime() < deadline) {
            p.descendants().filter(QemuGuestHangDemoIT::isQemu).forEach(qemus::add);
            Thread.sleep(500);
        }
        if (p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("the demo did not finish within 420 s:\n" + Files.readString(output));
        }
        String text = Files.readString(output);
        System.out.println(text);
        assertEquals(0, p.exitValue(), "demo failed:\n" + text);
        assertTrue(qemus.size() >= 3, "the demo's qemu processes were not seen: " + qemus.size());
        for (ProcessHandle q : qemus) q.onExit().get(10, TimeUnit.SECONDS); // the demo removed every one
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals("qemu", json.get("driver").asText(), json.toString());
        assertTrue(json.get("invariants_ok").asBoolean(), json.toString());
        assertEquals(0, json.get("double_runs").asInt(), json.toString());
        assertEquals(0, json.get("vms_restarted").asInt(), json.toString());
        assertEquals(0, json.get("fences").asInt(), json.toString());
        for (String check : CHECKS) assertTrue(json.path(check).asBoolean(false), check + " in " + json);
        JsonNode recovery = json.get("recovery_seconds");
        assertEquals(2, recovery.get("samples").asInt(), json.toString());
        System.out.printf("qemu guest-hang demo (3 hosts, 3 VMs, 2 hung): detection p50 %.3f s, p99 %.3f s, max %.3f s; "
                + "boot to ready p50 %.3f s, max %.3f s%n", recovery.get("p50").asDouble(), recovery.get("p99").asDouble(),
                recovery.get("max").asDouble(), json.get("guest_boot_seconds").get("p50").asDouble(),
                json.get("guest_boot_seconds").get("max").asDouble());
        assertTrue(recovery.get("p50").asDouble() >= FAILURE_SECONDS - 2, "reset before the failure interval: " + recovery);
        assertTrue(recovery.get("max").asDouble() <= MAX_DETECTION_SECONDS, "detection too slow: " + recovery);
    }

    private static boolean isQemu(ProcessHandle h) {
        return h.info().command().map(c -> c.endsWith("qemu-system-x86_64")).orElse(false);
    }
}
