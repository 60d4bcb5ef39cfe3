package io.vmha.core;

/**
 * A message in a host's heartbeat mailbox telling it to fence itself now. Addressed to one
 * incarnation of the host, so a pill left for a dead daemon does not kill its successor.
 */
public record PoisonPill(String from, String target, long targetIncarnation, long sequence) {
    public PoisonPill {
        Names.check("pill.from", from);
        Names.check("pill.target", target);
    }
}
