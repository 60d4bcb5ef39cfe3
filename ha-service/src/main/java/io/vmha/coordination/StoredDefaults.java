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
    static final String HOST_DRIVER = "vmha.default.host-driver";

    private StoredDefaults() {}

    static InjectableValues values() {
        return new InjectableValues.Std().addValue(VM_HEALTH, VmHealth.DEFAULT)
                .addValue(HOST_DRIVER, io.vmha.core.HostRecord.DEFAULT_DRIVER);
    }

    /** {@code vms/<vm>} written before VM health policies existed has no {@code health}. */
    abstract static class VmSpecMixin {
        @JsonCreator
        VmSpecMixin(@JsonProperty("name") String name, @JsonProperty("memoryMib") long memoryMib,
                    @JsonProperty("vcpus") int vcpus, @JsonProperty("driver") String driver,
                    @JsonProperty("driverParams") Map<String, String> driverParams,
                    @JsonProperty("haEnabled") boolean haEnabled,
                    @JsonProperty("preferredHosts") List<String> preferredHosts,
                    @JacksonInject(VM_HEALTH) @JsonProperty("health") VmHealth health) {}
    }

    /** {@code hosts/<host>} written before hosts named their driver has no {@code driver}: those ran sim. */
    abstract static class HostRecordMixin {
        @JsonCreator
        HostRecordMixin(@JsonProperty("name") String name, @JsonProperty("capacity") io.vmha.core.HostCapacity capacity,
                        @JsonProperty("incarnation") long incarnation, @JsonProperty("state") io.vmha.core.HostState state,
                        @JsonProperty("alarms") List<String> alarms,
                        @JacksonInject(HOST_DRIVER) @JsonProperty("driver") String driver) {}
    }
}
