package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.ProxyMetricFamilies;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The canary engine with the {@code nginx} provider on the real local control plane: Bunting (watching only the test's
 * namespace, as {@code --namespace} does) clones the user's Ingress into an ingress-nginx canary Ingress and moves its
 * annotations; a real Prometheus reads ingress-nginx's series ({@link ProxyMetricFamilies#NGINX}) through Flagger's
 * builtin queries. The scenarios run at the same time, each with its own Deployment, Ingress and Canary, in the style
 * of Flagger's nginx tutorial (10 s interval and fewer steps, for time).
 */
@LocalCluster
@Execution(ExecutionMode.CONCURRENT)
class NginxCanaryClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);
  private static final String PREFIX = "nginx.ingress.kubernetes.io/";

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "kubernetes", List.of(ProxyMetricFamilies.NGINX));
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  /** The user's Ingress of the tutorial: {@code app.example.com/} to the apex Service, port 80. */
  static String ingress(String name) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: %1$s
          labels: {app: %1$s}
          annotations: {kubernetes.io/ingress.class: nginx}
        spec:
          rules:
          - host: app.example.com
            http:
              paths:
              - pathType: Prefix
                path: /
                backend:
                  service:
                    name: %1$s
                    port: {number: 80}
        """.formatted(name);
  }

  static String canary(String name, String analysis) {
    return """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: nginx
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
          ingressRef: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: %1$s}
          progressDeadlineSeconds: 60
          service:
            port: 80
            targetPort: 9898
          analysis:
        %2$s
        """.formatted(name, analysis.indent(4).stripTrailing());
  }

  private static void install(String name, String analysis) throws InterruptedException {
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(ingress(name));
    cluster.apply(canary(name, analysis));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  private static Ingress ingressNamed(String name) {
    return cluster.client().network().v1().ingresses().inNamespace(cluster.namespace()).withName(name).get();
  }

  /** The canary weight a user reads off the canary Ingress: 100 while it routes by header or cookie. */
  private static int cloneWeight(String name, Set<String> annotationsSeen) {
    Ingress clone = ingressNamed(name + "-canary");
    if (clone == null) {
      return -1;
    }
    Map<String, String> annotations = clone.getMetadata().getAnnotations();
    annotationsSeen.addAll(annotations.keySet());
    if (annotations.containsKey(PREFIX + "canary-by-header") || annotations.containsKey(PREFIX + "canary-by-cookie")) {
      return 100;
    }
    return Integer.parseInt(annotations.get(PREFIX + "canary-weight"));
  }

  private static String image(String deployment) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(deployment).get().getSpec()
        .getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static String id(String name) {
    return name + "." + cluster.namespace();
  }

  @Test
  void aHealthyRevisionIsPromotedThroughTheCanaryIngress() throws Exception {
    String name = "promoted";
    install(name, """
        interval: 10s
        threshold: 3
        stepWeight: 25
        maxWeight: 50
        """ + BUILTIN_METRICS);
    Ingress users = ingressNamed(name);
    Ingress clone = ingressNamed(name + "-canary");
    assertThat(clone.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind() + "/" + o.getName()).isEqualTo("Canary/" + name));
    assertThat(clone.getMetadata().getLabels()).containsEntry("app", name);
    assertThat(clone.getMetadata().getAnnotations()).containsEntry("kubernetes.io/ingress.class", "nginx")
        .containsEntry(PREFIX + "canary", "true").containsEntry(PREFIX + "canary-weight", "0");
    assertThat(clone.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName())
        .isEqualTo(name + "-canary");

    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Set<String> seen = new ConcurrentSkipListSet<>();
    Timeline t = Timeline.recordWeights(bunting, name, () -> cloneWeight(name, seen), phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.routeWeights).as(t.toString()).containsExactly(0, 25, 50, 0);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    assertThat(ingressNamed(name).getMetadata().getResourceVersion()).as("the user's Ingress is never written")
        .isEqualTo(users.getMetadata().getResourceVersion());
    assertThat(ingressNamed(name).getMetadata().getManagedFields()).extracting(m -> m.getManager())
        .doesNotContain("bunting");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Advance " + id(name) + " canary weight 50 (")
            && m.contains("request-success-rate=100%"))
        .contains("Promotion completed! Scaling down " + id(name)));
  }

  @Test
  void aBadRevisionIsRolledBackOnTheIngressControllersErrorRate() throws Exception {
    String name = "rolledback";
    install(name, """
        interval: 10s
        threshold: 2
        stepWeight: 20
        maxWeight: 60
        """ + BUILTIN_METRICS);
    CanaryScenarios.setImage(cluster, name, "6.0.1-bad");
    Set<String> seen = new ConcurrentSkipListSet<>();
    Timeline t = Timeline.recordWeights(bunting, name, () -> cloneWeight(name, seen), phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.phases).as(t.toString()).doesNotContain(CanaryPhase.PROMOTING);
    assertThat(t.routeWeights).as(t.toString()).startsWith(0, 20).endsWith(0);
    assertThat(t.last.getStatus().failedChecks).isEqualTo(2);
    assertThat(cloneWeight(name, seen)).as("all traffic back on the primary").isZero();
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Halt " + id(name) + " advancement success rate ") && m.endsWith("% < 99%"))
        .contains("Canary failed! Scaling down " + id(name)));
  }

  @Test
  void abTestingRoutesTheHeaderAndCookieAndDropsThemAfterwards() throws Exception {
    String name = "abtest";
    install(name, """
        interval: 10s
        threshold: 3
        iterations: 2
        match:
        - headers:
            x-canary: {exact: insider}
        - headers:
            cookie: {exact: canary}
        """ + BUILTIN_METRICS);
    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Set<String> seen = new ConcurrentSkipListSet<>();
    Timeline t = Timeline.recordWeights(bunting, name, () -> cloneWeight(name, seen), phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.routeWeights).as(t.toString()).containsExactly(0, 100, 0);
    assertThat(seen).contains(PREFIX + "canary-by-header", PREFIX + "canary-by-header-value",
        PREFIX + "canary-by-cookie");
    Ingress done = ingressNamed(name + "-canary");
    assertThat(done.getMetadata().getAnnotations()).as("server-side apply removed the A/B annotations")
        .containsOnlyKeys("kubernetes.io/ingress.class", "kustomize.toolkit.fluxcd.io/reconcile",
            "helm.toolkit.fluxcd.io/driftDetection", PREFIX + "canary", PREFIX + "canary-weight")
        .containsEntry(PREFIX + "canary-weight", "0");
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
  }

  @Test
  void aMissingIngressStallsTheCanaryUntilItIsCreated() throws Exception {
    String name = "noingress";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(canary(name, "interval: 10s\nthreshold: 3\nstepWeight: 50\n" + BUILTIN_METRICS));
    // (until the Deployment reaches Bunting's cache the reason may first be TargetNotFound)
    Canary stalled = Timeline.record(bunting, name, null, c -> Condition.find(c.getStatus().conditions, "Stalled")
        .map(s -> s.reason.equals("InvalidReference")).orElse(false), Duration.ofSeconds(60)).last;
    Condition c = Condition.find(stalled.getStatus().conditions, "Stalled").get();
    assertThat(c.reason).isEqualTo("InvalidReference");
    assertThat(c.message).isEqualTo("spec.ingressRef: Ingress " + cluster.namespace() + "/" + name + " not found");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name)).contains(c.message));
    assertThat(ingressNamed(name + "-canary")).isNull();

    cluster.apply(ingress(name));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    assertThat(ingressNamed(name + "-canary").getMetadata().getAnnotations()).containsEntry(PREFIX + "canary-weight", "0");
  }
}
