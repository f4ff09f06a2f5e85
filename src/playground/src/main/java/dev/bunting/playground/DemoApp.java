package dev.bunting.playground;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo application the playground keeps in Git, in Flagger's documented Gateway API style: a {@code podinfo}
 * Deployment, the Gateway its route attaches to, and a Canary with the builtin {@code request-success-rate} and
 * {@code request-duration} checks at the thresholds of Flagger's tutorial (success rate at least 99 %, p99 at most
 * 500 ms), with Bunting's {@code analysis.window: release}: each release is judged on its own canary pods since its own
 * start, so releases can follow each other without a pause. Bunting generates the Services ({@code podinfo}, {@code podinfo-primary}, {@code podinfo-canary}) and the
 * HTTPRoute from the Canary, so they are not in Git: a Service in Git would fight with the generated apex Service.
 *
 * @param analysis the Canary's analysis settings
 * @param imageRepository the image repository of the Deployment ({@link #IMAGE}, or one in the playground's registry)
 * @param imagePolicy the ImagePolicy ({@code namespace:name}) whose marker comment the image line carries, or null
 */
public record DemoApp(Analysis analysis, String imageRepository, String imagePolicy) {
  public static final String NAME = "podinfo";
  public static final String IMAGE = "ghcr.io/stefanprodan/podinfo";
  public static final String GATEWAY = "playground-gateway";
  public static final String HOST = "podinfo.local";
  public static final int PORT = 9898;
  public static final int REPLICAS = 2;
  /** The directory of the repository the GitSync applies. */
  public static final String PATH = "apps/podinfo";

  /**
   * The Canary's analysis: how often it runs, how many failed checks roll back, and the traffic steps.
   *
   * @param interval the analysis interval (at least 10 s, Flagger's minimum)
   * @param threshold failed checks before a rollback
   * @param stepWeight the canary weight added per successful interval
   * @param maxWeight the canary weight at which the canary is promoted
   */
  public record Analysis(Duration interval, int threshold, int stepWeight, int maxWeight) {
    /** Flagger's tutorial values, with the given interval. */
    public static Analysis tutorial(Duration interval) {
      return new Analysis(interval, 5, 10, 50);
    }

    /** How many intervals a healthy release takes from detection to Succeeded, roughly. */
    public int healthyTicks() {
      return 2 + (maxWeight + stepWeight - 1) / stepWeight + 3;
    }
  }

  /** The demo app with podinfo's public image, released by commits. */
  public DemoApp(Analysis analysis) {
    this(analysis, IMAGE, null);
  }

  /** The image for a version tag. */
  public static String image(String tag) {
    return IMAGE + ":" + tag;
  }

  /** Every file of the repository (path → content) with the Deployment at {@code tag}. */
  public Map<String, String> files(String tag) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("README.md", readme());
    files.put(PATH + "/gateway.yaml", gateway());
    files.put(PATH + "/deployment.yaml", imagePolicy == null && IMAGE.equals(imageRepository) ? deployment(tag)
        : deploymentWithImage(imageRepository + ":" + tag + (imagePolicy == null ? ""
            : " # {\"$imagepolicy\": \"" + imagePolicy + "\"}")));
    files.put(PATH + "/canary.yaml", canary());
    return files;
  }

  private static String readme() {
    return """
        # podinfo, delivered by Bunting

        The playground's demo repository. A GitSync applies `apps/podinfo/` to the cluster; a commit that changes
        the image tag in `apps/podinfo/deployment.yaml` starts a canary release.
        """;
  }

  static String gateway() {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: %s
        spec:
          gatewayClassName: bunting-playground
          listeners:
          - name: http
            protocol: HTTP
            port: 80
        """.formatted(GATEWAY);
  }

  static String deployment(String tag) {
    return deploymentWithImage(image(tag));
  }

  /** The Deployment with {@code imageLine} after {@code image: } (an image, possibly with a marker comment). */
  private static String deploymentWithImage(String imageLine) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
          labels:
            app: %1$s
        spec:
          replicas: %2$d
          minReadySeconds: 3
          progressDeadlineSeconds: 60
          strategy:
            rollingUpdate:
              maxUnavailable: 0
            type: RollingUpdate
          selector:
            matchLabels:
              app: %1$s
          template:
            metadata:
              labels:
                app: %1$s
            spec:
              containers:
              - name: podinfod
                image: %3$s
                ports:
                - name: http
                  containerPort: %4$d
                  protocol: TCP
                readinessProbe:
                  httpGet:
                    path: /readyz
                    port: %4$d
        """.formatted(NAME, REPLICAS, imageLine, PORT);
  }

  String canary() {
    return """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: gatewayapi:v1
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: %1$s
          progressDeadlineSeconds: 60
          service:
            port: %2$d
            targetPort: %2$d
            hosts:
            - %3$s
            gatewayRefs:
            - name: %4$s
          analysis:
            interval: %5$ds
            threshold: %6$d
            maxWeight: %7$d
            stepWeight: %8$d
            # Bunting: judge each release on its own canary pods since its own start (docs/analysis.md)
            window: release
            metrics:
            - name: request-success-rate
              # minimum req success rate (non 5xx responses), percentage (0-100)
              thresholdRange:
                min: 99
              interval: 1m
            - name: request-duration
              # maximum req duration P99, milliseconds
              thresholdRange:
                max: 500
              interval: 30s
        """.formatted(NAME, PORT, HOST, GATEWAY, analysis.interval().toSeconds(), analysis.threshold(),
        analysis.maxWeight(), analysis.stepWeight());
  }
}
