package io.vmha.simulation;

/** An invariant broke (or the run got stuck): the message carries the seed, how to replay and the log's tail. */
final class SimulationFailure extends AssertionError {
    SimulationFailure(String message) { super(message); }
}
