package io.vmha.demo;

import io.vmha.coordination.PoolAdmin;
import io.vmha.core.HostState;
import io.vmha.core.Ownership;
import io.vmha.core.VmState;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** One line summing up a pool: hosts, master, VMs by state. */
public final class StatusLine {
    private StatusLine() {}

    public static String of(PoolAdmin.PoolStatus s) {
        long active = s.members().stream().filter(h -> h.state() == HostState.ACTIVE).count();
        Map<VmState, Integer> byState = new EnumMap<>(VmState.class);
        for (Ownership o : s.owners()) byState.merge(o.state(), 1, Integer::sum);
        Set<String> owned = s.ownerMap().keySet();
        long unowned = s.vms().stream().filter(vm -> !owned.contains(vm.name())).count();
        StringBuilder line = new StringBuilder()
                .append("hosts ").append(active).append('/').append(s.members().size()).append(" active")
                .append(" | master ").append(s.master().isEmpty() ? "(none)" : s.master())
                .append(" | vms ").append(s.vms().size()).append(':');
        for (VmState state : VmState.values()) {
            Integer n = byState.get(state);
            if (n != null) line.append(' ').append(n).append(' ').append(state.name().toLowerCase());
        }
        if (unowned > 0) line.append(' ').append(unowned).append(" unplaced");
        return line.toString();
    }
}
