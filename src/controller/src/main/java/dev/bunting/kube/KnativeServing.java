package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Knative Serving's {@code serving.knative.dev/v1} Service and Revision as Bunting reads them (generic objects: Bunting
 * has no Knative client). The canary's primary is the revision named by the Service's
 * {@value #PRIMARY_REVISION} annotation, as in Flagger.
 */
public final class KnativeServing {
  public static final String GROUP = "serving.knative.dev";
  public static final String API_VERSION = GROUP + "/v1";
  /** The annotation on the Knative Service that names the primary revision (Flagger's). */
  public static final String PRIMARY_REVISION = "flagger.app/primary-revision";
  /** The label Knative puts on each Revision: the Service it belongs to. */
  public static final String SERVICE_LABEL = "serving.knative.dev/service";

  public static final ResourceDefinitionContext SERVICES = new ResourceDefinitionContext.Builder()
      .withGroup(GROUP).withVersion("v1").withKind("Service").withPlural("services").withNamespaced(true).build();
  public static final ResourceDefinitionContext REVISIONS = new ResourceDefinitionContext.Builder()
      .withGroup(GROUP).withVersion("v1").withKind("Revision").withPlural("revisions").withNamespaced(true).build();

  private KnativeServing() {}

  /** Whether a {@code targetRef} names a Knative Service (Flagger: kind Service, apiVersion serving.knative.dev/v1). */
  public static boolean isService(String apiVersion, String kind) {
    return "Service".equals(kind) && API_VERSION.equals(apiVersion);
  }

  /** {@code status.latestCreatedRevisionName}. */
  public static Optional<String> latestCreatedRevision(GenericKubernetesResource service) {
    return statusString(service, "latestCreatedRevisionName");
  }

  /** {@code status.latestReadyRevisionName}. */
  public static Optional<String> latestReadyRevision(GenericKubernetesResource service) {
    return statusString(service, "latestReadyRevisionName");
  }

  /** The {@value #PRIMARY_REVISION} annotation. */
  public static Optional<String> primaryRevision(GenericKubernetesResource service) {
    Map<String, String> annotations = service.getMetadata().getAnnotations();
    return Optional.ofNullable(annotations == null ? null : annotations.get(PRIMARY_REVISION)).filter(s -> !s.isEmpty());
  }

  /** The {@code Ready} condition of a Service or Revision: {@code True}, {@code False} or {@code Unknown}. */
  @SuppressWarnings("unchecked")
  public static String readyStatus(GenericKubernetesResource object) {
    Object status = object.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> st) || !(st.get("conditions") instanceof List<?> conditions)) {
      return "Unknown";
    }
    for (Object c : conditions) {
      if (c instanceof Map<?, ?> m && "Ready".equals(m.get("type"))) {
        return String.valueOf(m.get("status"));
      }
    }
    return "Unknown";
  }

  /** The message of the {@code Ready} condition, if any. */
  public static String readyMessage(GenericKubernetesResource object) {
    Object status = object.getAdditionalProperties().get("status");
    if (status instanceof Map<?, ?> st && st.get("conditions") instanceof List<?> conditions) {
      for (Object c : conditions) {
        if (c instanceof Map<?, ?> m && "Ready".equals(m.get("type")) && m.get("message") != null) {
          return String.valueOf(m.get("message"));
        }
      }
    }
    return "";
  }

  private static Optional<String> statusString(GenericKubernetesResource object, String field) {
    Object status = object.getAdditionalProperties().get("status");
    if (status instanceof Map<?, ?> st && st.get(field) instanceof String s && !s.isEmpty()) {
      return Optional.of(s);
    }
    return Optional.empty();
  }
}
