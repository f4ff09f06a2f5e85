package dev.bunting.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Serves a {@link PrometheusRegistry} in the Prometheus text format (or OpenMetrics when asked). Scraping walks every
 * collector, so it runs on a worker thread, not on the event loop. As the Prometheus Java client's own exporters do,
 * {@code ?name[]=<family>} (repeatable) serves only those metric families (a counter by its name with or without
 * {@code _total}): a frequent look at a few series then costs only them, not a thousand canaries' worth of text.
 */
public final class MetricsEndpoint implements Handler<RoutingContext> {
  private final PrometheusRegistry registry;
  private final ExpositionFormats formats = ExpositionFormats.init();

  public MetricsEndpoint(PrometheusRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    List<String> names = ctx.queryParam("name[]");
    Predicate<String> included = names.isEmpty() ? n -> true : included(Set.copyOf(names));
    ctx.vertx().<Scrape>executeBlocking(() -> {
      ExpositionFormatWriter writer = formats.findWriter(accept);
      ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
      writer.write(out, registry.scrape(included));
      return new Scrape(writer.getContentType(), out.toByteArray());
    }, false).onSuccess(s -> ctx.response().putHeader("Content-Type", s.contentType()).end(Buffer.buffer(s.body())))
        .onFailure(ctx::fail);
  }

  /** Whether a family (its Prometheus name: a counter's without {@code _total}) is one of {@code names}. */
  static Predicate<String> included(Set<String> names) {
    return n -> names.contains(n) || names.contains(n + "_total");
  }

  private record Scrape(String contentType, byte[] body) {}
}
