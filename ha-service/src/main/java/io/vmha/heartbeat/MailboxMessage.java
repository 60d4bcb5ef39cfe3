package io.vmha.heartbeat;

import io.vmha.core.InvalidInputException;
import io.vmha.core.Names;

/**
 * The content of one host's mailbox block. A POISON message is addressed to one incarnation of the
 * target, so a pill left for a dead daemon does not kill its restarted successor.
 *
 * @param targetSlot the slot whose mailbox this is (checked against the block's position on decode)
 * @param sequence   the sender's message number, so a receiver can acknowledge exactly the pill it acted on
 */
public record MailboxMessage(int targetSlot, Type type, String targetHost, long targetIncarnation, String sender,
                             long sequence) {
    public enum Type { NONE, POISON }

    public MailboxMessage {
        String problem = problem(targetSlot, type, targetHost, targetIncarnation, sender, sequence);
        if (problem != null) throw new InvalidInputException("heartbeat.mailbox", problem, "a consistent message");
    }

    /** Why these values cannot form a message, or null. Shared by the constructor and the decoder. */
    static String problem(int targetSlot, Type type, String targetHost, long targetIncarnation, String sender, long sequence) {
        if (targetSlot < 0 || targetSlot >= HeartbeatHeader.MAX_SLOTS) {
            return "target slot " + targetSlot + " out of range (0 to " + (HeartbeatHeader.MAX_SLOTS - 1) + ")";
        }
        if (type == null) return "message type missing";
        // A NONE message may leave the names empty; a pill must say exactly whom it is for and from whom.
        boolean namesOptional = type == Type.NONE;
        String bad = nameProblem("target host", targetHost, namesOptional);
        if (bad == null) bad = nameProblem("sender host", sender, namesOptional);
        if (bad != null) return bad;
        if (targetIncarnation < 0) return "target incarnation " + targetIncarnation + " is negative";
        if (sequence < 0) return "message sequence " + sequence + " is negative";
        return null;
    }

    private static String nameProblem(String what, String name, boolean emptyAllowed) {
        if (name == null) return what + " missing";
        if ((emptyAllowed && name.isEmpty()) || Blocks.isName(name)) return null;
        try {
            Names.check(what, name);
            return null;
        } catch (InvalidInputException e) {
            return what + " name not valid: " + e.getMessage();
        }
    }
}
