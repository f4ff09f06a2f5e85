package dev.bunting.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.Manifests;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid Canaries, MetricTemplates and AlertProviders are rejected by the real API server (our CRD schemas), with a
 * message that names the offending field, and nothing is stored. Each case is a valid object with one mistake.
 */
@LocalCluster
class InvalidFlaggerObjectsRejectedTest {

  private static final String CANARY = """
      apiVersion: flagger.app/v1beta1
      kind: Canary
      metadata:
        name: podinfo
      spec:
        provider: gatewayapi:v1
        targetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: podinfo
        service:
          port: 9898
          gatewayRefs:
            - name: public
              namespace: gateway-system
        analysis:
          interval: 1m
          threshold: 5
          maxWeight: 50
          stepWeight: 10
          sessionAffinity:
            cookieName: canary-cookie
          metrics:
            - name: error-rate
              templateRef:
                name: error-rate
              thresholdRange:
                max: 1
              interval: 1m
          webhooks:
            - name: load-test
              type: rollout
              url: http://flagger-loadtester.test/
              timeout: 5s
          alerts:
            - name: on-call
              severity: error
              providerRef:
                name: on-call
      """;

  private static final String METRIC_TEMPLATE = """
      apiVersion: flagger.app/v1beta1
      kind: MetricTemplate
      metadata:
        name: error-rate
      spec:
        provider:
          type: prometheus
          address: http://prometheus.monitoring:9090
        query: sum(rate(http_requests_total{namespace="{{ namespace }}"}[{{ interval }}]))
      """;

  private static final String ALERT_PROVIDER = """
      apiVersion: flagger.app/v1beta1
      kind: AlertProvider
      metadata:
        name: on-call
      spec:
        type: slack
        channel: on-call
        address: https://hooks.slack.com/services/T0/B0/X
      """;

  TestCluster cluster;
  KubernetesClient client;

  static Stream<Invalid> invalidObjects() {
    return Stream.of(
        canary("both stepWeight and iterations", "spec.analysis", "must validate one and only one schema",
            c -> analysis(c).put("iterations", 10)),
        canary("neither stepWeight, stepWeights nor iterations", "spec.analysis",
            "must validate one and only one schema", c -> analysis(c).remove("stepWeight")),
        canary("no targetRef", "spec.targetRef", "Required value", c -> spec(c).remove("targetRef")),
        canary("no analysis", "spec.analysis", "Required value", c -> spec(c).remove("analysis")),
        canary("interval without unit", "spec.analysis.interval", "should match '^[0-9]+(m|s)'",
            c -> analysis(c).put("interval", "10")),
        canary("interval as a number", "spec.analysis.interval", "must be of type string",
            c -> analysis(c).put("interval", 10)).asWrongJsonType(),
        canary("unknown provider", "spec.provider", "Unsupported value: \"envoy\"",
            c -> spec(c).put("provider", "envoy")),
        canary("provider gatewayapi without version", "spec.provider", "Unsupported value: \"gatewayapi\"",
            c -> spec(c).put("provider", "gatewayapi")),
        canary("thresholdRange with a string value", "spec.analysis.metrics[0].thresholdRange.max",
            "must be of type number", c -> metric(c).withObject("/thresholdRange").put("max", "one")).asWrongJsonType(),
        canary("metric interval without unit", "spec.analysis.metrics[0].interval", "should match",
            c -> metric(c).put("interval", "1h")),
        canary("metric without name", "spec.analysis.metrics[0].name", "Required value",
            c -> metric(c).remove("name")),
        canary("templateRef without name", "spec.analysis.metrics[0].templateRef.name", "Required value",
            c -> metric(c).withObject("/templateRef").remove("name")),
        canary("webhook type not in the enum", "spec.analysis.webhooks[0].type", "Unsupported value: \"pre-promotion\"",
            c -> webhook(c).put("type", "pre-promotion")),
        canary("webhook without url", "spec.analysis.webhooks[0].url", "Required value",
            c -> webhook(c).remove("url")),
        canary("webhook timeout without unit", "spec.analysis.webhooks[0].timeout", "should match",
            c -> webhook(c).put("timeout", "30")),
        canary("alert severity not in the enum", "spec.analysis.alerts[0].severity", "Unsupported value: \"critical\"",
            c -> alert(c).put("severity", "critical")),
        canary("alert without providerRef", "spec.analysis.alerts[0].providerRef", "Required value",
            c -> alert(c).remove("providerRef")),
        canary("targetRef kind not in the enum", "spec.targetRef.kind", "Unsupported value: \"ReplicaSet\"",
            c -> spec(c).withObject("/targetRef").put("kind", "ReplicaSet")),
        canary("sessionAffinity without cookieName", "spec.analysis.sessionAffinity.cookieName", "Required value",
            c -> analysis(c).withObject("/sessionAffinity").remove("cookieName")),
        canary("service without port", "spec.service.port", "Required value",
            c -> spec(c).withObject("/service").remove("port")),
        canary("gatewayRef port out of range", "spec.service.gatewayRefs[0].port", "less than or equal to 65535",
            c -> ((ObjectNode) spec(c).withArray("/service/gatewayRefs").get(0)).put("port", 70000)),
        canary("primaryScalerReplicas below 1", "spec.autoscalerRef.primaryScalerReplicas.minReplicas",
            "greater than or equal to 1", c -> spec(c).withObject("/autoscalerRef")
                .put("apiVersion", "autoscaling/v2").put("kind", "HorizontalPodAutoscaler").put("name", "podinfo")
                .withObject("/primaryScalerReplicas").put("minReplicas", 0)),
        metricTemplate("MetricTemplate provider type not in the enum", "spec.provider.type",
            "Unsupported value: \"victoriametrics\"", t -> t.withObject("/spec/provider").put("type", "victoriametrics")),
        metricTemplate("MetricTemplate without query", "spec.query", "Required value",
            t -> t.withObject("/spec").remove("query")),
        alertProvider("AlertProvider without address or secretRef", "spec", "must validate one and only one schema",
            p -> p.withObject("/spec").remove("address")),
        alertProvider("AlertProvider type not in the enum", "spec.type", "Unsupported value: \"pagerduty\"",
            p -> p.withObject("/spec").put("type", "pagerduty")));
  }

  /** {@code kubectl create}, {@code kubectl apply} (client-side) and most clients: a POST, answered 422 Invalid. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidObjects")
  void createIsRejectedNamingTheField(Invalid invalid) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
        () -> cluster.create(invalid.yaml()));

    assertThat(e).as("%s: the API server accepted it", invalid).isNotNull();
    assertThat(e.getCode()).as("HTTP status of %s", e.getMessage()).isEqualTo(422);
    assertThat(e.getStatus().getMessage()).as("the server's message")
        .contains(invalid.field()).contains(invalid.reason());
    assertNothingStored(invalid);
  }

  /**
   * {@code kubectl apply --server-side}, GitSync and Bunting itself: server-side apply. Schema violations are 422
   * Invalid as for a create; a value of the wrong JSON type fails earlier, while the server builds the typed patch
   * (Kubernetes answers 500 with {@code failed to create typed patch object}), still naming the field.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidObjects")
  void serverSideApplyIsRejectedNamingTheField(Invalid invalid) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
        () -> cluster.apply(invalid.yaml()));

    assertThat(e).as("%s: the API server accepted it", invalid).isNotNull();
    String message = e.getStatus().getMessage();
    if (invalid.wrongJsonType() && e.getCode() == 500) {
      assertThat(message).contains("failed to create typed patch object").contains("." + invalid.field() + ":");
    } else {
      assertThat(e.getCode()).as("HTTP status of %s", e.getMessage()).isEqualTo(422);
      assertThat(message).as("the server's message").contains(invalid.field()).contains(invalid.reason());
    }
    assertNothingStored(invalid);
  }

  private void assertNothingStored(Invalid invalid) {
    JsonNode object = Manifests.documents(invalid.yaml()).get(0);
    assertThat(client.genericKubernetesResources("flagger.app/v1beta1", object.path("kind").asText())
        .inNamespace(cluster.namespace()).withName(object.at("/metadata/name").asText()).get())
        .as("nothing stored").isNull();
  }

  @Test
  void theValidObjectsTheCasesStartFromAreAccepted() {
    String namespace = cluster.createNamespace("valid");
    String withSecretRef = ALERT_PROVIDER.replace("address: https://hooks.slack.com/services/T0/B0/X",
        "secretRef: {name: on-call-url}").replace("name: on-call\n", "name: on-call-secret\n");
    for (String yaml : List.of(CANARY, METRIC_TEMPLATE, ALERT_PROVIDER, withSecretRef)) {
      JsonNode object = Manifests.documents(yaml).get(0);
      assertThat(cluster.applyIn(namespace, yaml)).singleElement().satisfies(stored -> {
        assertThat(stored.getKind()).isEqualTo(object.path("kind").asText());
        assertThat(stored.getMetadata().getName()).isEqualTo(object.at("/metadata/name").asText());
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** One invalid object: a valid one with one mistake, the field the server must name, and the reason it gives. */
  record Invalid(String description, String yaml, String field, String reason, boolean wrongJsonType) {
    Invalid asWrongJsonType() {
      return new Invalid(description, yaml, field, reason, true);
    }

    @Override
    public String toString() {
      return description;
    }
  }

  private static Invalid canary(String description, String field, String reason, Consumer<ObjectNode> mistake) {
    return invalid(CANARY, description, field, reason, mistake);
  }

  private static Invalid metricTemplate(String description, String field, String reason,
      Consumer<ObjectNode> mistake) {
    return invalid(METRIC_TEMPLATE, description, field, reason, mistake);
  }

  private static Invalid alertProvider(String description, String field, String reason,
      Consumer<ObjectNode> mistake) {
    return invalid(ALERT_PROVIDER, description, field, reason, mistake);
  }

  private static Invalid invalid(String base, String description, String field, String reason,
      Consumer<ObjectNode> mistake) {
    ObjectNode object = (ObjectNode) Manifests.documents(base).get(0);
    mistake.accept(object);
    return new Invalid(description, object.toPrettyString(), field, reason, false);
  }

  private static ObjectNode spec(ObjectNode canary) {
    return canary.withObject("/spec");
  }

  private static ObjectNode analysis(ObjectNode canary) {
    return canary.withObject("/spec/analysis");
  }

  private static ObjectNode metric(ObjectNode canary) {
    return (ObjectNode) ((ArrayNode) canary.at("/spec/analysis/metrics")).get(0);
  }

  private static ObjectNode webhook(ObjectNode canary) {
    return (ObjectNode) ((ArrayNode) canary.at("/spec/analysis/webhooks")).get(0);
  }

  private static ObjectNode alert(ObjectNode canary) {
    return (ObjectNode) ((ArrayNode) canary.at("/spec/analysis/alerts")).get(0);
  }
}
