package io.vmha.core.port;

/** Where the master reports each live migration it ends (metrics, notifications). Must not throw or block. */
public interface MigrationOutcomes {
    /** Results: {@value #SUCCEEDED}, {@value #FAILED}, {@value #CANCELLED}. */
    String SUCCEEDED = "succeeded";
    String FAILED = "failed";
    String CANCELLED = "cancelled";

    /** @param millis from when this master first saw the migration to the write that ended it */
    void ended(String vm, String migrationId, String result, long millis);

    MigrationOutcomes NONE = (vm, id, result, millis) -> { };
}
