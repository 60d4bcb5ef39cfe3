package io.vmha.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** The source side of one live migration over QMP: start, poll {@code query-migrate}, cancel on timeout. */
final class MigrationRun {
    private static final long POLL_MILLIS = 50;
    private static final long COMMAND_TIMEOUT_MILLIS = 2_000;
    /** qemu's migration URIs this driver hands over; others (exec:, fd:) would run commands or need fds. */
    static final List<String> URI_SCHEMES = List.of("tcp:", "unix:");

    /** How it ended: {@code completed}, or the reason it did not. */
    record Outcome(boolean completed, String reason, long millis) {}

    private MigrationRun() {}

    static boolean acceptedUri(String uri) {
        return uri != null && !uri.isBlank() && URI_SCHEMES.stream().anyMatch(s -> uri.startsWith(s) && uri.length() > s.length())
                && uri.chars().noneMatch(Character::isWhitespace);
    }

    /** Runs the migration to completion, failure or timeout; never leaves one active behind. */
    static Outcome run(QmpClient qmp, String uri, long timeoutMillis) throws QmpException {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        ObjectNode events = QmpClient.args();
        events.putArray("capabilities").addObject().put("capability", "events").put("state", true);
        qmp.execute("migrate-set-capabilities", events, COMMAND_TIMEOUT_MILLIS);
        try {
            qmp.execute("migrate", QmpClient.args().put("uri", uri), COMMAND_TIMEOUT_MILLIS);
        } catch (QmpException refused) {
            if (refused.errorClass() == null) throw refused;
            return new Outcome(false, "qemu refused: " + refused.getMessage(), elapsed(t0));
        }
        while (true) {
            JsonNode info = qmp.execute("query-migrate", null, COMMAND_TIMEOUT_MILLIS);
            String status = info.path("status").asText("");
            if (status.equals("completed")) return new Outcome(true, "", elapsed(t0));
            if (status.equals("failed") || status.equals("cancelled")) {
                String why = info.path("error-desc").asText("no reason given by qemu");
                return new Outcome(false, status.equals("failed") ? why : "cancelled: " + why, elapsed(t0));
            }
            if (System.nanoTime() > deadline) {
                qmp.execute("migrate_cancel", null, COMMAND_TIMEOUT_MILLIS);
                awaitInactive(qmp);
                return new Outcome(false, "did not complete within " + timeoutMillis + " ms (last status " + status
                        + "); cancelled", elapsed(t0));
            }
            sleep();
        }
    }

    /** After a failure the source must run again: qemu resumes it itself unless it had already stopped for the switch-over. */
    static String ensureRunning(QmpClient qmp) throws QmpException {
        String status = qmp.execute("query-status", null, COMMAND_TIMEOUT_MILLIS).path("status").asText("");
        if (!status.equals("running")) qmp.execute("cont", null, COMMAND_TIMEOUT_MILLIS);
        return status;
    }

    private static void awaitInactive(QmpClient qmp) throws QmpException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMMAND_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            String status = qmp.execute("query-migrate", null, COMMAND_TIMEOUT_MILLIS).path("status").asText("");
            if (!status.equals("active") && !status.equals("setup") && !status.equals("cancelling")
                    && !status.equals("device") && !status.equals("pre-switchover")) return;
            sleep();
        }
    }

    private static long elapsed(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
