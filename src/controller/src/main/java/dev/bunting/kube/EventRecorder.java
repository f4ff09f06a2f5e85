package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events ({@code kubectl describe} shows them) on the worker pool. A failure to record is logged
 * and never fails the caller. Callers emit on change only, so an idle object produces no Events.
 */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final Clock clock;
  private final String component;
  private final String instance;

  public EventRecorder(KubernetesClient client, BlockingPool pool, Clock clock, String component, String instance) {
    this.client = client;
    this.pool = pool;
    this.clock = clock;
    this.component = component;
    this.instance = instance;
  }

  /** Records one Event about {@code about}. The returned future always succeeds. */
  public Future<Void> record(HasMetadata about, String type, String reason, String message) {
    Event event = build(about, type, reason, message, clock.instant());
    return pool.run(() -> {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
      return (Void) null;
    }).recover(e -> {
      LOG.warn("could not record event {} on {}/{}: {}", reason, about.getKind(), about.getMetadata().getName(),
          e.getMessage());
      return Future.succeededFuture();
    });
  }

  Event build(HasMetadata about, String type, String reason, String message, Instant now) {
    String ts = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    String ns = about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
    String name = about.getMetadata().getName() + "."
        + Long.toHexString(now.toEpochMilli() * 1000 + ThreadLocalRandom.current().nextInt(1000));
    return new EventBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(about.getApiVersion())
            .withKind(about.getKind())
            .withName(about.getMetadata().getName())
            .withNamespace(about.getMetadata().getNamespace())
            .withUid(about.getMetadata().getUid())
            .withResourceVersion(about.getMetadata().getResourceVersion())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
        .withNewSource().withComponent(component).endSource()
        .withReportingComponent(component)
        .withReportingInstance(instance)
        .withFirstTimestamp(ts)
        .withLastTimestamp(ts)
        .withCount(1)
        .build();
  }
}
