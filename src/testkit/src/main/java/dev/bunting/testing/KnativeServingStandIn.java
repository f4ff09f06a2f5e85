package dev.bunting.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test infrastructure, never part of the controller: a stand-in for the status half of Knative Serving's controller,
 * which does not run on the local control plane. For every Knative Service ({@code serving.knative.dev/v1}) of one
 * namespace, every 300 ms:
 *
 * <ul>
 *   <li>a template not seen before becomes a new Revision {@code <service>-0000N} (labels
 *       {@code serving.knative.dev/service} and {@code serving.knative.dev/configuration}, owned by the Service) with
 *       a one-pod Deployment {@code <revision>-deployment} running the template's containers (pods labelled
 *       {@code serving.knative.dev/revision}), as Knative's revision reconciler makes them;</li>
 *   <li>a Revision is {@code Ready=True} once its Deployment has an available pod;</li>
 *   <li>the Service's status gets {@code observedGeneration}, {@code latestCreatedRevisionName},
 *       {@code latestReadyRevisionName}, {@code Ready} (True when the latest created revision is ready) and
 *       {@code traffic}: {@code spec.traffic} with {@code latestRevision} targets resolved to the latest ready
 *       revision, or all traffic to it when {@code spec.traffic} is empty.</li>
 * </ul>
 *
 * No routing, no autoscaling (one pod per revision, revisions are never scaled to zero), no webhook defaults.
 */
public final class KnativeServingStandIn implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KnativeServingStandIn.class);
  public static final ResourceDefinitionContext SERVICES = new ResourceDefinitionContext.Builder()
      .withGroup("serving.knative.dev").withVersion("v1").withKind("Service").withPlural("services")
      .withNamespaced(true).build();
  public static final ResourceDefinitionContext REVISIONS = new ResourceDefinitionContext.Builder()
      .withGroup("serving.knative.dev").withVersion("v1").withKind("Revision").withPlural("revisions")
      .withNamespaced(true).build();
  static final String SERVICE_LABEL = "serving.knative.dev/service";
  static final String REVISION_LABEL = "serving.knative.dev/revision";
  static final String TEMPLATE_HASH = "testing.bunting.dev/template-hash";

  private final KubernetesClient client;
  private final String namespace;
  private final Vertx vertx;
  private final WorkerExecutor pool;
  private final long timer;

  public KnativeServingStandIn(KubernetesClient client, Vertx vertx, String namespace) {
    this.client = client;
    this.vertx = vertx;
    this.namespace = namespace;
    this.pool = vertx.createSharedWorkerExecutor("knative-stand-in-" + namespace, 1);
    this.timer = vertx.setPeriodic(300, id -> pool.executeBlocking(() -> {
      reconcileAll();
      return null;
    }, true).onFailure(e -> LOG.debug("knative stand-in: {}", e.getMessage())));
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    pool.close();
  }

  private void reconcileAll() {
    List<GenericKubernetesResource> revisions = client.genericKubernetesResources(REVISIONS).inNamespace(namespace)
        .list().getItems();
    for (GenericKubernetesResource service : client.genericKubernetesResources(SERVICES).inNamespace(namespace).list()
        .getItems()) {
      if (service.getMetadata().getDeletionTimestamp() == null) {
        reconcile(service, revisions.stream().filter(r -> service.getMetadata().getName()
            .equals(labels(r).get(SERVICE_LABEL))).sorted(Comparator.comparing(r -> r.getMetadata().getName()))
            .toList());
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void reconcile(GenericKubernetesResource service, List<GenericKubernetesResource> revisions) {
    String name = service.getMetadata().getName();
    Map<String, Object> spec = map(service.getAdditionalProperties().get("spec"));
    Map<String, Object> template = map(spec.get("template"));
    String hash = hash(template);
    List<GenericKubernetesResource> all = new ArrayList<>(revisions);
    if (all.stream().noneMatch(r -> hash.equals(annotations(r).get(TEMPLATE_HASH)))) {
      all.add(createRevision(service, template, hash, String.format("%s-%05d", name, all.size() + 1)));
    }
    String latestCreated = all.get(all.size() - 1).getMetadata().getName();
    String latestReady = null;
    for (GenericKubernetesResource r : all) {
      if (markReady(r)) {
        latestReady = r.getMetadata().getName();
      }
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("observedGeneration", service.getMetadata().getGeneration());
    status.put("latestCreatedRevisionName", latestCreated);
    if (latestReady != null) {
      status.put("latestReadyRevisionName", latestReady);
    }
    boolean ready = latestCreated.equals(latestReady);
    status.put("conditions", List.of(Map.of("type", "Ready", "status", ready ? "True" : "Unknown")));
    status.put("traffic", traffic((List<Map<String, Object>>) spec.get("traffic"), latestReady));
    if (!Objects.equals(Serialization.asJson(status),
        Serialization.asJson(service.getAdditionalProperties().get("status")))) {
      GenericKubernetesResource copy = Serialization.clone(service);
      copy.setAdditionalProperty("status", status);
      client.genericKubernetesResources(SERVICES).inNamespace(namespace).resource(copy).updateStatus();
    }
  }

  private static List<Map<String, Object>> traffic(List<Map<String, Object>> spec, String latestReady) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (latestReady == null) {
      return out;
    }
    if (spec == null || spec.isEmpty()) {
      out.add(Map.of("latestRevision", true, "revisionName", latestReady, "percent", 100));
      return out;
    }
    for (Map<String, Object> t : spec) {
      Map<String, Object> resolved = new LinkedHashMap<>(t);
      boolean latest = Boolean.TRUE.equals(t.get("latestRevision"));
      resolved.put("latestRevision", latest);
      if (latest) {
        resolved.put("revisionName", latestReady);
      }
      out.add(resolved);
    }
    return out;
  }

  private GenericKubernetesResource createRevision(GenericKubernetesResource service, Map<String, Object> template,
      String hash, String revisionName) {
    String name = service.getMetadata().getName();
    Map<String, Object> templateMeta = map(template.get("metadata"));
    Map<String, String> labels = new LinkedHashMap<>();
    map(templateMeta.get("labels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
    labels.put(SERVICE_LABEL, name);
    labels.put("serving.knative.dev/configuration", name);
    GenericKubernetesResource revision = new GenericKubernetesResource();
    revision.setApiVersion("serving.knative.dev/v1");
    revision.setKind("Revision");
    ObjectMeta meta = new ObjectMeta();
    meta.setName(revisionName);
    meta.setNamespace(namespace);
    meta.setLabels(labels);
    meta.setAnnotations(Map.of(TEMPLATE_HASH, hash));
    meta.setOwnerReferences(List.of(owner(service)));
    revision.setMetadata(meta);
    revision.setAdditionalProperty("spec", map(template.get("spec")));
    GenericKubernetesResource created = client.genericKubernetesResources(REVISIONS).inNamespace(namespace)
        .resource(revision).create();

    PodSpec podSpec = Serialization.jsonMapper().convertValue(map(template.get("spec")), PodSpec.class);
    for (int i = 0; i < podSpec.getContainers().size(); i++) {
      if (podSpec.getContainers().get(i).getName() == null) {
        podSpec.getContainers().get(i).setName(i == 0 ? "user-container" : "user-container-" + i);
      }
    }
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    podLabels.put(REVISION_LABEL, revisionName);
    Deployment deployment = new DeploymentBuilder()
        .withNewMetadata().withName(revisionName + "-deployment").withNamespace(namespace)
        .withOwnerReferences(owner(created)).endMetadata()
        .withNewSpec().withReplicas(1)
        .withNewSelector().withMatchLabels(Map.of(REVISION_LABEL, revisionName)).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(podLabels).endMetadata().withSpec(podSpec).endTemplate()
        .endSpec().build();
    client.apps().deployments().inNamespace(namespace).resource(deployment).create();
    LOG.info("knative stand-in: {}/{} has a new revision {}", namespace, name, revisionName);
    return created;
  }

  /** Sets Ready=True on a revision whose Deployment has an available pod; whether it is ready. */
  private boolean markReady(GenericKubernetesResource revision) {
    if ("True".equals(readyStatus(revision))) {
      return true;
    }
    Deployment d = client.apps().deployments().inNamespace(namespace)
        .withName(revision.getMetadata().getName() + "-deployment").get();
    boolean available = d != null && d.getStatus() != null && d.getStatus().getAvailableReplicas() != null
        && d.getStatus().getAvailableReplicas() > 0;
    if (!available) {
      return false;
    }
    GenericKubernetesResource copy = Serialization.clone(revision);
    copy.setAdditionalProperty("status", Map.of("observedGeneration", 1,
        "conditions", List.of(Map.of("type", "Ready", "status", "True"))));
    client.genericKubernetesResources(REVISIONS).inNamespace(namespace).resource(copy).updateStatus();
    return true;
  }

  private static String readyStatus(GenericKubernetesResource r) {
    Object conditions = map(r.getAdditionalProperties().get("status")).get("conditions");
    if (conditions instanceof List<?> list) {
      for (Object c : list) {
        if (c instanceof Map<?, ?> m && "Ready".equals(m.get("type"))) {
          return String.valueOf(m.get("status"));
        }
      }
    }
    return "Unknown";
  }

  private static OwnerReference owner(GenericKubernetesResource o) {
    return new OwnerReferenceBuilder().withApiVersion(o.getApiVersion()).withKind(o.getKind())
        .withName(o.getMetadata().getName()).withUid(o.getMetadata().getUid()).withController(true).build();
  }

  private static Map<String, String> labels(GenericKubernetesResource r) {
    return Optional.ofNullable(r.getMetadata().getLabels()).orElse(Map.of());
  }

  private static Map<String, String> annotations(GenericKubernetesResource r) {
    return Optional.ofNullable(r.getMetadata().getAnnotations()).orElse(Map.of());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** sha256 of the template's JSON with sorted keys. */
  private static String hash(Map<String, Object> template) {
    try {
      String json = Serialization.jsonMapper().writeValueAsString(sorted(template));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(json.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Object sorted(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(KnativeServingStandIn::sorted).toList();
    }
    return o;
  }
}
