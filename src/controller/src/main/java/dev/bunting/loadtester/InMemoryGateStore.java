package dev.bunting.loadtester;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gates held in this process's memory, like flagger-loadtester's: lost on restart and not shared between replicas.
 * Run a single replica, or use {@link ConfigMapGateStore}.
 */
public final class InMemoryGateStore implements GateStore {
  private final Map<String, Boolean> gates = new ConcurrentHashMap<>();

  @Override
  public Future<Boolean> isOpen(String key) {
    return Future.succeededFuture(gates.getOrDefault(key, false));
  }

  @Override
  public Future<Void> open(String key) {
    gates.put(key, true);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close(String key) {
    gates.put(key, false);
    return Future.succeededFuture();
  }

  @Override
  public String toString() {
    return "memory";
  }
}
