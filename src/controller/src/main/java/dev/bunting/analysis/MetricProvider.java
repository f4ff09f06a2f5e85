package dev.bunting.analysis;

import dev.bunting.gotemplate.TemplateException;
import io.vertx.core.Future;
import java.time.Instant;

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
  default Future<MetricValue> query(String query) {
    return query(query, null);
  }

  /**
   * Runs a rendered query evaluated at {@code at} (the end of the provider's window), or now when {@code at} is null.
   * The future always succeeds, as {@link #query(String)}.
   */
  Future<MetricValue> query(String query, Instant at);

  /**
   * Renders a query template for a model and runs it. A template that cannot be rendered (for instance a
   * missing {@code variables} key) becomes {@link MetricValue.Failed} with
   * {@code query render error: template: line N: ...}; nothing is sent then.
   */
  default Future<MetricValue> query(QueryTemplate template, QueryModel model) {
    String rendered;
    try {
      rendered = template.render(model);
    } catch (TemplateException e) {
      return Future.succeededFuture(MetricValue.failed("query render error: " + e.getMessage()));
    }
    return query(rendered);
  }

  /**
   * Checks that the backend answers (Flagger's {@code IsOnline}). Completes with {@code true} when it does;
   * otherwise fails with a message saying why. It never completes with {@code false}.
   */
  Future<Boolean> isOnline();
}
