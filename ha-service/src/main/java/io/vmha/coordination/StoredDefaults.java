package io.vmha.coordination;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.InjectableValues;
import io.vmha.core.VmHealth;

import java.util.List;
import java.util.Map;

/**
 * Defaults for record fields added after nodes were first stored. The mapper fails on any missing creator
 * property (a missing epoch must never become 0), so a field that may legitimately be absent from an older
 * node is injected instead: Jackson takes the value from the node when present, else this default.
 * Mix-ins keep Jackson out of the pure core.
 */
final class StoredDefaults {
    static final String VM_HEALTH = "vmha.default.vm-health";

    private StoredDefaults() {}

    static InjectableValues values() {
        return new InjectableValues.Std().addValue(VM_HEALTH, VmHealth.DEFAULT);
    }

    /** {@code vms/<vm>} written before VM health policies existed has no {@code health}. */
    abstract static class VmSpecMixin {
        @JsonCreator
        VmSpecMixin(@JsonProperty("name") String name, @JsonProperty("memoryMib") long memoryMib,
                    @JsonProperty("vcpus") int vcpus, @JsonProperty("driver") String driver,
                    @JsonProperty("driverParams") Map<String, String> driverParams,
                    @JsonProperty("haEnabled") boolean haEnabled,
                    @JsonProperty("preferredHosts") List<String> preferredHosts,
                    @JsonProperty("networks") List<String> networks,
                    @JacksonInject(VM_HEALTH) @JsonProperty("health") VmHealth health) {}
    }
}
