package dev.bunting.kube;

import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events ({@code kubectl describe} shows them) on the engine's worker pool, aggregated as client-go's
 * recorder does: a repeat of an Event (same involved object, type, reason and message) is not a new Event, it raises
 * the first one's {@code count} and moves its {@code lastTimestamp}. The Event's name is derived from those fields, so
 * a restarted controller finds the Event its predecessor wrote (one GET after the create is refused) and goes on
 * counting instead of writing a duplicate. Records of one Event are written one after the other. A failure to record
 * is logged and never fails the caller.
 */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  /** Events whose count is remembered (the least recently recorded are forgotten, and looked up again if repeated). */
  private static final int REMEMBERED = 4096;
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final Clock clock;
  private final String component;
  private final String instance;
  /** Event name → the last write of it, completing with its count (null when unknown). Guarded by itself. */
  private final Map<String, Future<Integer>> counts = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Future<Integer>> eldest) {
      return size() > REMEMBERED;
    }
  };

  public EventRecorder(KubernetesClient client, BlockingPool pool, Clock clock, String component, String instance) {
    this.client = client;
    this.pool = pool;
    this.clock = clock;
    this.component = component;
    this.instance = instance;
  }

  /** Records one occurrence of an Event about {@code about}. The returned future always succeeds. */
  public Future<Void> record(HasMetadata about, String type, String reason, String message) {
    Event event = build(about, type, reason, message, clock.instant());
    String name = event.getMetadata().getName();
    Future<Integer> written;
    synchronized (counts) {
      Future<Integer> previous = counts.get(name);
      Future<Integer> known = previous == null ? Future.succeededFuture() : previous.otherwiseEmpty();
      // remembered through a promise of its own: the composed future would hold the Event (its function) for good
      Promise<Integer> count = Promise.promise();
      known.compose(c -> pool.run(() -> write(event, c))).onComplete(count);
      written = count.future();
      counts.put(name, written);
    }
    return written.<Void>mapEmpty().recover(e -> {
      ObjectLog.of(LOG, about.getKind(), about.getMetadata().getNamespace(), about.getMetadata().getName())
          .warn("could not record event {}: {}", reason, e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Creates the Event, or counts one more occurrence of it; the count written. Blocking. */
  private int write(Event event, Integer knownCount) {
    var events = client.v1().events().inNamespace(event.getMetadata().getNamespace());
    String name = event.getMetadata().getName();
    if (knownCount != null) {
      try {
        return countAgain(event, knownCount);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
        // expired (the API server keeps Events for an hour by default): start again
      }
    }
    try {
      events.resource(event).create();
      return 1;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    // written before this controller knew it (a restart, or a forgotten entry)
    Event existing = events.withName(name).get();
    if (existing == null) {
      events.resource(event).create();
      return 1;
    }
    return countAgain(event, existing.getCount() == null ? 1 : existing.getCount());
  }

  /**
   * One PATCH request. Through {@code resource(event)}: fabric8's {@code withName(..).patch(context, String)} GETs the
   * object before it patches, which would make every repeat two requests.
   */
  private int countAgain(Event event, int count) {
    int next = count + 1;
    String patch = client.getKubernetesSerialization().asJson(Map.of("count", next,
        "lastTimestamp", event.getLastTimestamp()));
    client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    return next;
  }

  Event build(HasMetadata about, String type, String reason, String message, Instant now) {
    String ts = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    String ns = about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    return new EventBuilder()
        .withNewMetadata().withName(name(about, type, reason, text)).withNamespace(ns).endMetadata()
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
        .withMessage(text)
        .withNewSource().withComponent(component).endSource()
        .withReportingComponent(component)
        .withReportingInstance(instance)
        .withFirstTimestamp(ts)
        .withLastTimestamp(ts)
        .withCount(1)
        .build();
  }

  /**
   * {@code <object name>.<16 hex digits>}: the digits hash what makes two Events the same one (the recording component,
   * the involved object with its uid, type, reason, message), so every controller instance computes the same name.
   */
  private String name(HasMetadata about, String type, String reason, String message) {
    String identity = String.join("\u0000", component, String.valueOf(about.getApiVersion()),
        String.valueOf(about.getKind()), String.valueOf(about.getMetadata().getNamespace()),
        about.getMetadata().getName(), String.valueOf(about.getMetadata().getUid()), type, reason, message);
    String objectName = about.getMetadata().getName();
    if (objectName.length() > 200) {
      objectName = objectName.substring(0, 200).replaceAll("[-.]+$", "");
    }
    return objectName + "." + HexFormat.of().formatHex(sha256(identity), 0, 8);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
