package dev.bunting.canary;

/** Manifests for the canary engine's cluster tests: a podinfo-like Deployment and Canaries in Flagger's style. */
public final class CanaryScenarios {
  private CanaryScenarios() {}

  /**
   * Sets the app container's image as {@code kubectl set image} does (a strategic merge patch, no resourceVersion),
   * so it never conflicts with Bunting scaling the Deployment at the same moment.
   */
  public static void setImage(dev.bunting.testing.TestCluster cluster, String name, String tag) {
    cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).patch(
        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.STRATEGIC_MERGE),
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":"
            + "\"ghcr.io/stefanprodan/podinfo:" + tag + "\"}]}}}}");
  }

  public static String deployment(String name, String tag) {
    return deployment(name, tag, 2);
  }

  /** The podinfo Deployment every canary test targets, with its app container {@code app} and port {@code http}. */
  public static String deployment(String name, String tag, int replicas) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
          labels: {app: %1$s}
        spec:
          replicas: %3$d
          progressDeadlineSeconds: 120
          selector:
            matchLabels: {app: %1$s}
          template:
            metadata:
              labels: {app: %1$s}
            spec:
              containers:
              - name: app
                image: ghcr.io/stefanprodan/podinfo:%2$s
                ports:
                - {name: http, containerPort: 9898}
        """.formatted(name, tag, replicas);
  }

  /** A Gateway API canary: {@code analysis} is the indented body of {@code spec.analysis}. */
  static String gatewayCanary(String name, String analysis) {
    return """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
          service:
            port: 9898
            gatewayRefs: [{name: public-gateway}]
          analysis:
        %2$s
        """.formatted(name, analysis.indent(4).stripTrailing());
  }

  static String kubernetesCanary(String name, String analysis) {
    return """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: kubernetes
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
          service:
            port: 9898
          analysis:
        %2$s
        """.formatted(name, analysis.indent(4).stripTrailing());
  }

  /** The builtin metrics with Flagger's documented thresholds. */
  static final String BUILTIN_METRICS = """
      metrics:
      - name: request-success-rate
        thresholdRange: {min: 99}
        interval: 1m
      - name: request-duration
        thresholdRange: {max: 500}
        interval: 1m
      """;
}
