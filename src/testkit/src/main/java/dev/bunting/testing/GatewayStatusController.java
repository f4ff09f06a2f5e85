package dev.bunting.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status half of a Gateway API implementation, for the playground's simulated gateway (and the tests): every
 * HTTPRoute in a namespace gets, for each of its parentRefs, {@code Accepted=True} and {@code ResolvedRefs=True} at its
 * current generation, written to the status subresource as a real gateway controller would. Bunting's Gateway API
 * router waits for exactly this before it moves traffic. Never part of the controller itself. Status writes run on a
 * small worker pool of its own, never in the informer callback.
 */
public final class GatewayStatusController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayStatusController.class);
  public static final String CONTROLLER_NAME = "bunting.dev/playground-gateway";
  public static final ResourceDefinitionContext HTTP_ROUTES = new ResourceDefinitionContext.Builder()
      .withGroup("gateway.networking.k8s.io").withVersion("v1").withKind("HTTPRoute").withPlural("httproutes")
      .withNamespaced(true).build();

  private final KubernetesClient client;
  private final WorkerExecutor pool;
  private final SharedIndexInformer<GenericKubernetesResource> informer;

  public GatewayStatusController(KubernetesClient client, Vertx vertx, String namespace) {
    this.client = client;
    this.pool = vertx.createSharedWorkerExecutor("gateway-status-" + namespace, 2);
    this.informer = client.genericKubernetesResources(HTTP_ROUTES).inNamespace(namespace).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource route) {
        accept(route);
      }

      @Override
      public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource route) {
        accept(route);
      }

      @Override
      public void onDelete(GenericKubernetesResource route, boolean unknown) {}
    });
  }

  public void start() {
    informer.start();
  }

  @Override
  public void close() {
    informer.stop();
    pool.close();
  }

  private void accept(GenericKubernetesResource route) {
    if (accepted(route)) {
      return;
    }
    pool.executeBlocking(() -> {
      GenericKubernetesResource copy = client.genericKubernetesResources(HTTP_ROUTES)
          .inNamespace(route.getMetadata().getNamespace()).withName(route.getMetadata().getName()).get();
      if (copy == null || accepted(copy)) {
        return null;
      }
      copy.setAdditionalProperty("status", Map.of("parents", parentStatuses(copy)));
      return client.genericKubernetesResources(HTTP_ROUTES).inNamespace(copy.getMetadata().getNamespace())
          .resource(copy).updateStatus();
    }).onFailure(e -> LOG.debug("could not accept HTTPRoute {}: {}", route.getMetadata().getName(), e.getMessage()));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> parentStatuses(GenericKubernetesResource route) {
    Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
    List<Map<String, Object>> parents = spec == null ? List.of()
        : (List<Map<String, Object>>) spec.getOrDefault("parentRefs", List.of());
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    long generation = route.getMetadata().getGeneration() == null ? 1 : route.getMetadata().getGeneration();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> p : parents) {
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("parentRef", p);
      status.put("controllerName", CONTROLLER_NAME);
      status.put("conditions", List.of(
          condition("Accepted", "Accepted", "Route accepted by the playground gateway", generation, now),
          condition("ResolvedRefs", "ResolvedRefs", "All references resolved", generation, now)));
      out.add(status);
    }
    return out;
  }

  private static Map<String, Object> condition(String type, String reason, String message, long generation,
      String now) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", type);
    c.put("status", "True");
    c.put("reason", reason);
    c.put("message", message);
    c.put("observedGeneration", generation);
    c.put("lastTransitionTime", now);
    return c;
  }

  /** Every parentRef has Accepted=True at the current generation. */
  @SuppressWarnings("unchecked")
  public static boolean accepted(GenericKubernetesResource route) {
    Object status = route.getAdditionalProperties().get("status");
    Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
    if (!(status instanceof Map<?, ?> st) || spec == null) {
      return false;
    }
    List<Object> parentRefs = (List<Object>) spec.getOrDefault("parentRefs", List.of());
    List<Map<String, Object>> parents = (List<Map<String, Object>>) ((Map<String, Object>) st)
        .getOrDefault("parents", List.of());
    long generation = route.getMetadata().getGeneration() == null ? 1 : route.getMetadata().getGeneration();
    if (parents.size() != parentRefs.size()) {
      return false;
    }
    for (Object ref : parentRefs) {
      boolean ok = parents.stream().anyMatch(p -> Objects.equals(p.get("parentRef"), ref)
          && ((List<Map<String, Object>>) p.getOrDefault("conditions", List.of())).stream()
              .anyMatch(c -> "Accepted".equals(c.get("type")) && "True".equals(c.get("status"))
                  && c.get("observedGeneration") instanceof Number n && n.longValue() >= generation));
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
