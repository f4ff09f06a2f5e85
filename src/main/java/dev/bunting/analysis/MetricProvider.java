package dev.bunting.analysis;

import io.vertx.core.Future;

/**
 * A metrics backend that answers instant queries with one number (Flagger's {@code providers.Interface}).
 * Implementations are non-blocking and safe to call from an event loop.
 */
public interface MetricProvider {

  /** The provider type as a MetricTemplate names it, e.g. {@code prometheus}. */
  String type();

  /**
   * Runs a query. The future always succeeds: an empty answer is {@link MetricValue.NoValues} and every
   * problem (unreachable server, HTTP error, unusable answer) is {@link MetricValue.Failed}.
   */
  Future<MetricValue> query(String query);

  /**
   * Checks that the backend answers (Flagger's {@code IsOnline}). Completes with {@code true} when it does;
   * otherwise fails with a message saying why. It never completes with {@code false}.
   */
  Future<Boolean> isOnline();
}
