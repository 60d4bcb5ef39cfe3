package io.vmha.heartbeat;

import io.vmha.core.HeartbeatSlot;

/**
 * A decoded slot block: the host's slot plus where it was found.
 *
 * @param truncated the writer ran more VMs than fit in one block; {@code slot.epochs()} lists only the first ones
 */
public record SlotBlock(int index, HeartbeatSlot slot, boolean truncated) {}
