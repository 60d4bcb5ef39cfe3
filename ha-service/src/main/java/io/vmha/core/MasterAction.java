package io.vmha.core;

/** A decision of the pool master, carried out by compare-and-set on {@code owners/<vm>}. */
public sealed interface MasterAction {
    String vm();

    String why();

    /** Write {@code next} if the record is still at {@code expectedVersion} ({@link Versioned#ABSENT}: create). */
    record WriteOwner(Ownership next, int expectedVersion, String why) implements MasterAction {
        @Override public String vm() { return next.vm(); }
    }

    /** Write a poison pill to a vanished host's heartbeat mailbox: it still writes its slot but not "fenced". */
    record Poison(PoisonPill pill, String why) implements MasterAction {
        @Override public String vm() { return ""; }
    }

    /** Delete the record of a VM that left the registry, if still at {@code expectedVersion}. */
    record DeleteOwner(String vm, int expectedVersion, String why) implements MasterAction {}

    /** Delete an operator's migration request once acted on (or refused), if still at {@code expectedVersion}. */
    record DeleteRequest(String vm, int expectedVersion, String why) implements MasterAction {}
}
