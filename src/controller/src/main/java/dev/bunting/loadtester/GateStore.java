package dev.bunting.loadtester;

import io.vertx.core.Future;

/**
 * Open/closed state of manual gates, keyed {@code <name>.<namespace>} for promotion gates and
 * {@code rollback.<name>.<namespace>} for rollback gates. A gate never opened is closed. Asynchronous so that an
 * implementation may persist state (a ConfigMap, a database); {@link InMemoryGateStore} keeps it in memory.
 */
public interface GateStore {
  /** Whether the gate is open; unknown gates are closed. */
  Future<Boolean> isOpen(String key);

  /** Opens the gate. */
  Future<Void> open(String key);

  /** Closes the gate. */
  Future<Void> close(String key);
}
