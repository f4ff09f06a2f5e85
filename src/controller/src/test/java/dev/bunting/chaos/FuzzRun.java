package dev.bunting.chaos;

import dev.bunting.chaos.SpecFuzzer.FuzzCase;
import dev.bunting.chaos.SpecFuzzer.Kind;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends {@link SpecFuzzer} cases to a cluster where a controller is running and counts what became of them: rejected
 * by the API server (the CRD schema: 422; anything else by its code), accepted and reported by the controller (a
 * {@code Stalled=True} or {@code Ready=False} condition and a Warning Event on the Canary or GitSync, or on the Canary
 * using a MetricTemplate or AlertProvider), accepted and not reported, {@code /healthz} failures during the run, and
 * objects whose resourceVersion still changes after the controller has settled (a reconcile loop). Used by
 * {@code SpecFuzzClusterTest} (300 cases) and {@code bench/chaos} (10,000).
 */
public final class FuzzRun {
  private static final String FUZZ_LABEL = "bunting.dev/fuzz";

  private final KubernetesClient client;
  private final String namespace;
  private final SpecFuzzer fuzzer;
  private final String prefix;
  private final URI healthz;

  private final AtomicInteger rejected422 = new AtomicInteger();
  private final Map<Integer, Integer> rejectedOther = new TreeMap<>();
  private final Map<Kind, Integer> acceptedByKind = new TreeMap<>();
  private final List<GenericKubernetesResource> watched = new ArrayList<>();
  /** The Canary or GitSync whose status reports each accepted case (itself, or its holder). */
  private final Map<String, FuzzCase> reporterOf = new LinkedHashMap<>();
  private final AtomicLong healthChecks = new AtomicLong();
  private final AtomicLong healthFailures = new AtomicLong();
  private volatile boolean running;
  private Thread prober;

  public FuzzRun(KubernetesClient client, String namespace, long seed, String prefix, URI healthz) {
    this.client = client;
    this.namespace = namespace;
    this.fuzzer = new SpecFuzzer(seed);
    this.prefix = prefix;
    this.healthz = healthz;
  }

  /** What a run found. */
  public record Figures(long seed, int cases, int objectsSent, int rejected422, Map<Integer, Integer> rejectedOther,
      int accepted, int reported, int acceptedValid, int notReported, Map<String, Integer> reasons,
      List<String> notReportedCases, long healthChecks, long healthFailures, int settledObjects,
      List<String> unsettled) {

    public String table() {
      StringBuilder b = new StringBuilder();
      b.append(String.format("| seed | %d |%n", seed));
      b.append(String.format("| cases (objects sent, with the Canaries using fuzzed templates/providers) | %d (%d) |%n",
          cases, objectsSent));
      b.append(String.format("| rejected by the CRD schema (422) | %d |%n", rejected422));
      b.append(String.format("| rejected otherwise (HTTP code: count) | %s |%n", rejectedOther));
      b.append(String.format("| accepted | %d |%n", accepted));
      b.append(String.format("| accepted and reported (Stalled/Ready=False + Warning Event) | %d |%n", reported));
      b.append(String.format("| accepted, valid and suspended (nothing to report) | %d |%n", acceptedValid));
      b.append(String.format("| accepted, not reported | %d |%n", notReported));
      b.append(String.format("| reasons reported | %s |%n", reasons));
      b.append(String.format("| /healthz failures | %d of %d |%n", healthFailures, healthChecks));
      b.append(String.format("| objects still changing after settling (30 s) | %d of %d |%n", unsettled.size(),
          settledObjects));
      return b.toString();
    }

    public String json() {
      return Serialization.asJson(this);
    }
  }

  /** Sends {@code count} cases, one at a time, probing {@code /healthz} in the background. */
  public void send(int count) {
    startProbing();
    cases += count;
    for (int i = 0; i < count; i++) {
      FuzzCase c = fuzzer.next(prefix);
      boolean ok = create(c.kind(), c.object());
      if (!ok) {
        continue;
      }
      acceptedByKind.merge(c.kind(), 1, Integer::sum);
      if (c.holder() != null) {
        if (create(Kind.CANARY, c.holder())) {
          reporterOf.put(Kind.CANARY.kind + "/" + c.name() + "-uses", c);
        }
      } else {
        reporterOf.put(c.kind().kind + "/" + c.name(), c);
      }
    }
  }

  private int sent;
  private int cases;

  private boolean create(Kind kind, Map<String, Object> object) {
    sent++;
    GenericKubernetesResource r = Serialization.jsonMapper().convertValue(object, GenericKubernetesResource.class);
    try {
      watched.add(client.genericKubernetesResources(context(kind)).inNamespace(namespace).resource(r).create());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 422) {
        rejected422.incrementAndGet();
      } else {
        synchronized (rejectedOther) {
          rejectedOther.merge(e.getCode(), 1, Integer::sum);
        }
      }
      return false;
    }
  }

  static ResourceDefinitionContext context(Kind kind) {
    String[] gv = kind.apiVersion.split("/");
    String plural = switch (kind) {
      case CANARY -> "canaries";
      case METRIC_TEMPLATE -> "metrictemplates";
      case ALERT_PROVIDER -> "alertproviders";
      case GIT_SYNC -> "gitsyncs";
    };
    return new ResourceDefinitionContext.Builder().withGroup(gv[0]).withVersion(gv[1]).withKind(kind.kind)
        .withPlural(plural).withNamespaced(true).build();
  }

  private void startProbing() {
    if (running || healthz == null) {
      return;
    }
    running = true;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    prober = new Thread(() -> {
      while (running) {
        healthChecks.incrementAndGet();
        try {
          int code = http.send(HttpRequest.newBuilder(healthz).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
          if (code != 200) {
            healthFailures.incrementAndGet();
          }
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            return;
          }
          healthFailures.incrementAndGet();
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "fuzz-healthz");
    prober.setDaemon(true);
    prober.start();
  }

  /** Waits until every reporter has conditions (at most {@code limit}), then returns the figures. */
  public Figures finish(Duration limit, Duration settle) throws InterruptedException {
    Instant end = Instant.now().plus(limit);
    Map<String, GenericKubernetesResource> now = current();
    while (Instant.now().isBefore(end)
        && !reporterOf.keySet().stream().allMatch(k -> hasConditions(now.get(k)) || suspended(now.get(k)))) {
      Thread.sleep(1000);
      now.clear();
      now.putAll(current());
    }
    Map<String, String> versions = versions(current());
    Thread.sleep(settle.toMillis());
    Map<String, GenericKubernetesResource> after = current();
    Map<String, String> later = versions(after);
    List<String> unsettled = new ArrayList<>();
    versions.forEach((k, v) -> {
      if (later.containsKey(k) && !later.get(k).equals(v)) {
        unsettled.add(k);
      }
    });
    running = false;
    if (prober != null) {
      prober.interrupt();
    }

    Set<String> warned = new HashSet<>();
    for (Event e : client.v1().events().inNamespace(namespace).list().getItems()) {
      if ("Warning".equals(e.getType())) {
        warned.add(e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName());
      }
    }
    int reported = 0;
    int valid = 0;
    Map<String, Integer> reasons = new TreeMap<>();
    List<String> notReported = new ArrayList<>();
    for (Map.Entry<String, FuzzCase> entry : reporterOf.entrySet()) {
      String reason = failingReason(after.get(entry.getKey()));
      if (reason != null && warned.contains(entry.getKey())) {
        reported++;
        reasons.merge(reason, 1, Integer::sum);
      } else if (reason == null && suspended(after.get(entry.getKey()))) {
        valid++; // the mutations left a valid object that asks for nothing to be done (spec.suspend: true)
      } else {
        FuzzCase c = entry.getValue();
        notReported.add(c.kind().kind + " #" + c.index() + " " + c.mutations());
      }
    }
    int accepted = acceptedByKind.values().stream().mapToInt(Integer::intValue).sum();
    return new Figures(fuzzer.seed(), cases, sent, rejected422.get(),
        new TreeMap<>(rejectedOther), accepted, reported, valid, accepted - reported - valid, reasons,
        notReported.subList(0, Math.min(notReported.size(), 20)), healthChecks.get(), healthFailures.get(),
        versions.size(), unsettled);
  }

  private Map<String, GenericKubernetesResource> current() {
    Map<String, GenericKubernetesResource> all = new HashMap<>();
    for (Kind kind : Kind.values()) {
      for (GenericKubernetesResource r : client.genericKubernetesResources(context(kind)).inNamespace(namespace)
          .withLabel(FUZZ_LABEL, "true").list().getItems()) {
        all.put(kind.kind + "/" + r.getMetadata().getName(), r);
      }
    }
    return all;
  }

  private static Map<String, String> versions(Map<String, GenericKubernetesResource> objects) {
    Map<String, String> v = new HashMap<>();
    objects.forEach((k, r) -> v.put(k, r.getMetadata().getResourceVersion()));
    return v;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> conditions(GenericKubernetesResource r) {
    if (r == null || !(r.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return List.of();
    }
    Object c = ((Map<String, Object>) status).get("conditions");
    return c instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
  }

  @SuppressWarnings("unchecked")
  private static boolean suspended(GenericKubernetesResource r) {
    return r != null && r.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
        && Boolean.TRUE.equals(((Map<String, Object>) spec).get("suspend"));
  }

  private static boolean hasConditions(GenericKubernetesResource r) {
    return !conditions(r).isEmpty();
  }

  /** The reason of a Stalled=True or Ready=False condition, or null. */
  private static String failingReason(GenericKubernetesResource r) {
    String reason = null;
    for (Map<String, Object> c : conditions(r)) {
      if ("Stalled".equals(c.get("type")) && "True".equals(c.get("status"))) {
        return String.valueOf(c.get("reason"));
      }
      if ("Ready".equals(c.get("type")) && "False".equals(c.get("status"))) {
        reason = String.valueOf(c.get("reason"));
      }
    }
    return reason;
  }

  /** Deletes every fuzzed object of the namespace (between rounds of a long run). */
  public void deleteAll() {
    for (Kind kind : Kind.values()) {
      client.genericKubernetesResources(context(kind)).inNamespace(namespace).withLabel(FUZZ_LABEL, "true").delete();
    }
  }
}
