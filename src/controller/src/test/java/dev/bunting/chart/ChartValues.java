package dev.bunting.chart;

import java.util.List;

/** Values files the chart tests install with: the interesting combinations, each a YAML text. */
final class ChartValues {
  private ChartValues() {}

  /** The chart's defaults. */
  static final String DEFAULTS = "";

  /** Watch one namespace: Roles and RoleBindings there instead of ClusterRoles. */
  static String namespaced(String namespace) {
    return "namespace: " + namespace + "\n";
  }

  /** prometheus-operator ServiceMonitor and PodMonitor. */
  static final String MONITORING = """
      serviceMonitor:
        enabled: true
        interval: 30s
        scrapeTimeout: 10s
        additionalLabels: {release: kube-prometheus-stack}
      podMonitor:
        enabled: true
        additionalLabels: {release: kube-prometheus-stack}
      """;

  /** Slack from an existing Secret, Teams and the event webhook from plain values (the chart's Secret). */
  static final String NOTIFIERS = """
      clusterName: prod-eu-1
      slack:
        channel: "#releases"
        user: bunting
        existingSecret: slack-webhook
        existingSecretKey: address
      msteams:
        url: https://example.webhook.office.com/webhookb2/abc
      eventWebhook: https://events.example.com/hooks/bunting?token=s3cret
      """;

  /** Gateway API as the default router, plus most pod-level knobs. */
  static final String GATEWAY_AND_POD_OPTIONS = """
      meshProvider: gatewayapi:v1
      metricsServer: https://prometheus.monitoring.svc:9091
      selectorLabels: app.kubernetes.io/name,app
      maxConcurrentReconciles: 16
      maxConcurrentSyncs: 3
      maxProgressingCanaries: 3
      logFormat: text
      logLevel: debug
      jvmOptions: -XX:MaxRAMPercentage=60
      extraArgs: ["--listen-address=0.0.0.0"]
      image:
        tag: 0.1.0-rc.1
        digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        pullSecret: ghcr-pull
      podLabels: {team: platform}
      podAnnotations: {example.com/owner: platform}
      podPriorityClassName: system-cluster-critical
      nodeSelector: {kubernetes.io/os: linux}
      tolerations: [{key: dedicated, operator: Equal, value: platform, effect: NoSchedule}]
      resources:
        requests: {cpu: 200m, memory: 512Mi}
        limits: {memory: 1Gi}
      env:
        - name: EXTRA
          value: "1"
      service:
        port: 9090
        annotations: {example.com/scrape: "true"}
      serviceAccount:
        annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/bunting"}
      """;

  /** Flux's model: the controller may apply anything for GitSyncs. */
  static final String GITSYNC_CLUSTER_ADMIN = """
      gitsync:
        clusterAdmin: true
      """;

  /** Opt-in: GitSync may list and watch every kind (Secrets included). */
  static final String GITSYNC_WATCH_ALL = """
      gitsync:
        watchAll: true
      """;

  /** Opt-in: impersonate the ServiceAccounts of every namespace. */
  static final String IMPERSONATE_ALL_NAMESPACES = """
      gitsync:
        impersonateAllNamespaces: true
      """;

  /** Impersonation limited to some tenant namespaces. */
  static String impersonateOnly(List<String> namespaces) {
    return "gitsync:\n  impersonateNamespaces: [" + String.join(", ", namespaces) + "]\n";
  }

  /** Bring your own ServiceAccount and RBAC. */
  static final String NO_RBAC = """
      rbac:
        create: false
      serviceAccount:
        create: false
        name: bunting-existing
      """;

  /** Flagger 1.44's own values.yaml (a test resource, copied unchanged below a header line). */
  static String flaggerDefaults() {
    try (var in = ChartValues.class.getResourceAsStream("/flagger/values-1.44.0.yaml")) {
      return new String(java.util.Objects.requireNonNull(in, "flagger/values-1.44.0.yaml").readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** What a Flagger user writes after reading "Migrating from Flagger": Bunting's image instead of Flagger's. */
  static final String BUNTING_IMAGE = """
      image:
        repository: ghcr.io/bunting-dev/bunting
        tag: ""
      """;

  /** The load tester with flagger-loadtester's chart keys and Bunting's own (shell tasks, gates in a ConfigMap). */
  static final String LOADTESTER = """
      loadtester:
        enabled: true
        replicaCount: 2
        logLevel: warning
        cmd: {timeout: 30m, namespaceRegexp: "^team-"}
        shellTasks: {enabled: true}
        gates: {configMap: loadtester-gates}
        service: {port: 8080, annotations: {example.com/owner: qa}}
        podLabels: {team: qa}
        env: [{name: HTTPS_PROXY, value: "http://proxy:3128"}]
        rbac:
          create: true
          scope: cluster
          rules: [{apiGroups: [""], resources: ["pods"], verbs: ["get", "list"]}]
      """;

  /** A Flagger values file that sets the Flagger keys Bunting's chart maps. */
  static final String FLAGGER_MAPPED = """
      logLevel: warning
      kubeconfigQPS: 100
      kubeconfigBurst: "250"
      ingressAnnotationsPrefix: custom.ingress.kubernetes.io
      ingressClass: contour
      meshProvider: smi:v1alpha2:linkerd
      podDisruptionBudget:
        enabled: true
        minAvailable: 1
      deploymentLabels: {team: delivery}
      annotations: {example.com/deployment: flagger-style}
      podLabels: {tier: control}
      additionalVolumes:
        - name: ca
          configMap: {name: prometheus-ca}
      additionalVolumeMounts:
        - name: ca
          mountPath: /etc/prometheus-ca
          readOnly: true
      serviceMonitor:
        enabled: true
        labels: {release: kube-prometheus-stack}
      podMonitor:
        enabled: true
        namespace:
      commonLabels: {cost-center: platform}
      commonAnnotations: {example.com/owner: platform-team}
      """;

  /** Flagger's linkerdAuthPolicy (a Linkerd AuthorizationPolicy: rendered only, Linkerd's CRDs are not installed here). */
  static final String LINKERD_AUTH_POLICY = """
      linkerdAuthPolicy:
        create: true
        namespace: viz
      """;

  /** Every Flagger key that Bunting's chart cannot honour, set. */
  static final String FLAGGER_UNSUPPORTED = """
      image:
        repository: ghcr.io/fluxcd/flagger
        tag: 1.44.0
      meshProvider: istioo
      leaderElection:
        enabled: false
        replicaCount: 2
      threadiness: 4
      includeLabelPrefix: app.kubernetes.io
      slack:
        proxy: http://proxy:3128
      msteams:
        proxyUrl: http://proxy:3128
      rbac:
        pspEnabled: true
      crd:
        create: true
      prometheus:
        install: true
      controlplane:
        kubeconfig:
          secretName: mesh-kubeconfig
      noCrossNamespaceRefs: true
      """;
}
