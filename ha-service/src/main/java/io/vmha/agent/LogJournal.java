package io.vmha.agent;

import io.vmha.core.port.Journal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon's journal: every state change and decision goes to the log, tagged with who said it. */
public final class LogJournal implements Journal {
    private static final Logger LOG = LoggerFactory.getLogger("vmha");

    @Override public void record(String source, String message) {
        LOG.info("{}: {}", source, message);
    }
}
