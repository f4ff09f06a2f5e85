package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.ProxyMetricFamilies;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Flagger's documented example Canaries for Contour, Skipper and APISIX (its tutorials' manifests, with a 10 s interval
 * and fewer steps for time, without the load-tester webhooks) run to {@code Succeeded} on the real local control plane
 * with each project's real CRDs, one Bunting serving all three side by side (its default provider is {@code contour},
 * as the Contour tutorial's {@code --mesh-provider=contour}, since that Canary names none). A real Prometheus reads each
 * data plane's series ({@link ProxyMetricFamilies}) through Flagger's builtin queries.
 */
@LocalCluster(thirdPartyCrds = {ThirdPartyCrds.CONTOUR, ThirdPartyCrds.APISIX})
@Execution(ExecutionMode.CONCURRENT)
class ProxyRoutersCanaryClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "contour", ProxyMetricFamilies.all());
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  private static JsonNode object(String apiVersion, String kind, String name) {
    GenericKubernetesResource r = cluster.client().genericKubernetesResources(apiVersion, kind)
        .inNamespace(cluster.namespace()).withName(name).get();
    return r == null ? null : Serialization.jsonMapper().valueToTree(r);
  }

  private static Timeline run(String name, java.util.function.IntSupplier weight) throws InterruptedException {
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Timeline t = Timeline.recordWeights(bunting, name, weight, phase(CanaryPhase.SUCCEEDED), RELEASE);
    assertThat(t.routeWeights).as(t.toString()).containsExactly(0, 25, 50, 0);
    assertThat(cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name + "-primary")
        .get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Advance " + name + "." + cluster.namespace() + " canary weight 50 (")
            && m.contains("request-success-rate=100%")));
    return t;
  }

  @Test
  void contourTutorial() throws Exception {
    String name = "contour";
    cluster.apply(deployment(name, "6.0.0"));
    // the tutorial's root HTTPProxy, including the one Bunting generates
    cluster.apply("""
        apiVersion: projectcontour.io/v1
        kind: HTTPProxy
        metadata: {name: contour-ingress}
        spec:
          virtualhost: {fqdn: app.example.com}
          includes:
          - name: contour
            conditions: [{prefix: /}]
        """);
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: contour}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: contour}
          service:
            port: 80
            targetPort: 9898
            timeout: 15s
            retries: {attempts: 3, perTryTimeout: 5s, retryOn: "5xx"}
          analysis:
            interval: 10s
            threshold: 5
            maxWeight: 50
            stepWeight: 25
            metrics:
            - name: request-success-rate
              thresholdRange: {min: 99}
              interval: 1m
            - name: request-duration
              thresholdRange: {max: 500}
              interval: 30s
        """);
    run(name, () -> {
      JsonNode proxy = object("projectcontour.io/v1", "HTTPProxy", name);
      return proxy == null ? -1 : proxy.at("/spec/routes/0/services/1/weight").asInt(0);
    });
    JsonNode route = object("projectcontour.io/v1", "HTTPProxy", name).at("/spec/routes/0");
    assertThat(route.at("/timeoutPolicy/response").asText()).isEqualTo("15s");
    assertThat(route.at("/retryPolicy/count").asInt()).isEqualTo(3);
    assertThat(route.at("/services/0/name").asText()).isEqualTo("contour-primary");
    assertThat(route.at("/services/0/weight").asInt()).isEqualTo(100);
  }

  @Test
  void skipperTutorial() throws Exception {
    String name = "skipper";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: skipper
          labels: {app: skipper}
          annotations: {kubernetes.io/ingress.class: skipper}
        spec:
          rules:
          - host: app.example.com
            http:
              paths:
              - pathType: Prefix
                path: /
                backend: {service: {name: skipper, port: {number: 80}}}
        """);
    String usersVersion = object("networking.k8s.io/v1", "Ingress", name).at("/metadata/resourceVersion").asText();
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: skipper}
        spec:
          provider: skipper
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: skipper}
          ingressRef: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: skipper}
          progressDeadlineSeconds: 60
          service:
            port: 80
            targetPort: 9898
          analysis:
            interval: 10s
            threshold: 10
            maxWeight: 50
            stepWeight: 25
            metrics:
            - name: request-success-rate
              interval: 1m
              thresholdRange: {min: 99}
            - name: request-duration
              interval: 1m
              thresholdRange: {max: 500}
        """);
    run(name, () -> {
      JsonNode clone = object("networking.k8s.io/v1", "Ingress", name + "-canary");
      String weights = clone == null ? null : clone.at("/metadata/annotations/zalando.org~1backend-weights").asText(null);
      return weights == null ? -1 : readTree(weights).path("skipper-canary").asInt();
    });
    JsonNode clone = object("networking.k8s.io/v1", "Ingress", name + "-canary");
    assertThat(clone.at("/metadata/annotations/zalando.org~1skipper-predicate").asText()).isEqualTo("False()");
    assertThat(clone.at("/spec/rules/0/http/paths").findValuesAsText("name"))
        .containsExactly("skipper-primary", "skipper-canary");
    assertThat(object("networking.k8s.io/v1", "Ingress", name).at("/metadata/resourceVersion").asText())
        .as("the user's Ingress is never written").isEqualTo(usersVersion);
  }

  @Test
  void apisixTutorial() throws Exception {
    String name = "apisix";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply("""
        apiVersion: apisix.apache.org/v2
        kind: ApisixRoute
        metadata: {name: apisix}
        spec:
          http:
          - backends:
            - {serviceName: apisix, servicePort: 80}
            match:
              hosts: [app.example.com]
              methods: [GET]
              paths: [/*]
            name: method
            plugins:
            - name: prometheus
              enable: true
              config: {disable: false, prefer_name: true}
        """);
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: apisix}
        spec:
          provider: apisix
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: apisix}
          routeRef: {apiVersion: apisix.apache.org/v2, kind: ApisixRoute, name: apisix}
          progressDeadlineSeconds: 60
          service:
            port: 80
            targetPort: 9898
          analysis:
            interval: 10s
            threshold: 10
            maxWeight: 50
            stepWeight: 25
            metrics:
            - name: request-success-rate
              thresholdRange: {min: 99}
              interval: 1m
            - name: request-duration
              thresholdRange: {max: 500}
              interval: 30s
        """);
    run(name, () -> {
      JsonNode route = object("apisix.apache.org/v2", "ApisixRoute", "apisix-apisix-canary");
      return route == null ? -1 : route.at("/spec/http/0/backends/1/weight").asInt(-1);
    });
    JsonNode http = object("apisix.apache.org/v2", "ApisixRoute", "apisix-apisix-canary").at("/spec/http/0");
    assertThat(http.at("/priority").asInt()).isEqualTo(10000);
    assertThat(http.at("/plugins/0/name").asText()).isEqualTo("prometheus");
    assertThat(http.at("/backends").findValuesAsText("serviceName")).containsExactly("apisix-primary", "apisix-canary");
  }

  private static JsonNode readTree(String json) {
    try {
      return Serialization.jsonMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
