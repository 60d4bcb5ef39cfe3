package io.vmha.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the qemu guest-hang demo tells the operator when the guest cannot be built, and its health settings. */
class TinyGuestImageTest {
    @Test
    void theScriptsOwnDiagnosisIsQuotedNotItsLastLine() {
        String output = "build-guest: cpio missing; installing Debian package cpio with apt-get\n"
                + "build-guest: Debian package busybox-static is not installed (apt-get install -y busybox-static)\n"
                + "+ trap cleanup\n\n";
        assertEquals("build-guest: Debian package busybox-static is not installed (apt-get install -y busybox-static)",
                TinyGuestImage.lastMessage(output));
    }

    @Test
    void withoutADiagnosisTheLastLineIsQuoted() {
        assertEquals("cp: cannot stat x", TinyGuestImage.lastMessage("something\ncp: cannot stat x\n"));
        assertEquals("(no output)", TinyGuestImage.lastMessage(""));
    }

    @Test
    void theDemoGuestsAreWatchedWithTheDemosSettings() {
        var g = QemuGuestHang.HEALTH.guestHeartbeat();
        assertTrue(g.enabled());
        assertEquals(QemuGuestHang.FAILURE_SECONDS * 1000L, g.effectiveFailureMillis());
        assertEquals(QemuGuestHang.MIN_UPTIME_SECONDS * 1000L, g.effectiveMinUptimeMillis());
        // Room for three real guests booting at once under TCG (~21-23 s measured here) at least twice over.
        assertTrue(g.effectiveMinUptimeMillis() >= 45_000, "min uptime " + g.effectiveMinUptimeMillis());
    }
}
