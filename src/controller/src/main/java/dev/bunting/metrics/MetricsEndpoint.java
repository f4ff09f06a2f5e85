package dev.bunting.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;

/**
 * Serves a {@link PrometheusRegistry} in the Prometheus text format (or OpenMetrics when asked). Scraping walks every
 * collector, so it runs on a worker thread, not on the event loop.
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
    ctx.vertx().<Scrape>executeBlocking(() -> {
      ExpositionFormatWriter writer = formats.findWriter(accept);
      ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
      writer.write(out, registry.scrape());
      return new Scrape(writer.getContentType(), out.toByteArray());
    }, false).onSuccess(s -> ctx.response().putHeader("Content-Type", s.contentType()).end(Buffer.buffer(s.body())))
        .onFailure(ctx::fail);
  }

  private record Scrape(String contentType, byte[] body) {}
}
