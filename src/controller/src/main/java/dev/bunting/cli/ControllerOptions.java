package dev.bunting.cli;

import dev.bunting.kube.ApiRateLimiter;
import dev.bunting.kube.ShardSelector;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The controller's flags. Names follow Flagger's where Flagger has one; each has an environment-variable fallback
 * (picocli reads {@code ${env:...}} defaults), so the Helm chart and a plain {@code docker run} both work. Every
 * description ends with {@code Env: NAME.}, the variable of its {@code ${env:NAME}} default ({@code ControllerHelpTest}
 * holds them to it).
 */
public final class ControllerOptions {
  @Option(names = "--metrics-server", defaultValue = "${env:METRICS_SERVER}",
      description = "Prometheus URL for the builtin metrics (request-success-rate, request-duration) and for "
          + "MetricTemplates without an address. Env: METRICS_SERVER.")
  public String metricsServer;

  @Option(names = "--mesh-provider", defaultValue = "${env:MESH_PROVIDER:-kubernetes}",
      description = "Default provider for Canaries without spec.provider: kubernetes, gatewayapi:v1, "
          + "gatewayapi:v1beta1, istio, linkerd, smi:v1alpha1|2|3[:<mesh>], osm, traefik, kuma, nginx, skipper, contour, "
          + "gloo, apisix, knative (default: ${DEFAULT-VALUE}). Env: MESH_PROVIDER.")
  public String meshProvider;

  @Option(names = "--ingress-annotations-prefix",
      defaultValue = "${env:INGRESS_ANNOTATIONS_PREFIX:-nginx.ingress.kubernetes.io}",
      description = "Annotation prefix of the nginx provider's canary Ingress (default: ${DEFAULT-VALUE}; Flagger's "
          + "-ingress-annotations-prefix). Env: INGRESS_ANNOTATIONS_PREFIX.")
  public String ingressAnnotationsPrefix;

  @Option(names = "--ingress-class", defaultValue = "${env:INGRESS_CLASS}",
      description = "Ingress class of the routing objects providers such as contour write (default: none; Flagger's "
          + "-ingress-class). Env: INGRESS_CLASS.")
  public String ingressClass;

  @Option(names = "--namespace", defaultValue = "${env:WATCH_NAMESPACE}",
      description = "Watch one namespace only (default: all namespaces). Env: WATCH_NAMESPACE.")
  public String namespace;

  @Option(names = "--port", defaultValue = "${env:PORT:-8080}",
      description = "HTTP port for /healthz, /readyz, /metrics, the Git receiver and the UI "
          + "(default: ${DEFAULT-VALUE}). "
          + "Env: PORT.")
  public int port;

  @Option(names = "--listen-address", defaultValue = "${env:LISTEN_ADDRESS:-0.0.0.0}",
      description = "Address the HTTP server binds (default: ${DEFAULT-VALUE}). Env: LISTEN_ADDRESS.")
  public String listenAddress;

  @Option(names = "--ui", arity = "0..1", defaultValue = "${env:UI:-true}", fallbackValue = "true",
      description = "Serve the web UI at /ui on the HTTP port: canaries and GitSyncs live, each release's timeline, "
          + "and rollout actions for users whose bearer token the API server authenticates and allows to patch the "
          + "Canary (default: ${DEFAULT-VALUE}). Env: UI.")
  public boolean ui;

  @Option(names = "--selector-labels", split = ",", defaultValue = "${env:SELECTOR_LABELS:-app,name,app.kubernetes.io/name}",
      description = "Labels that identify a target's pods, in order (default: ${DEFAULT-VALUE}). Env: SELECTOR_LABELS.")
  public List<String> selectorLabels;

  @Option(names = "--max-concurrent-reconciles", defaultValue = "${env:MAX_CONCURRENT_RECONCILES:-32}",
      description = "Canary reconciles that may run at once (default: ${DEFAULT-VALUE}; Flagger's threadiness). "
          + "Env: MAX_CONCURRENT_RECONCILES.")
  public int maxConcurrentReconciles;

  @Option(names = "--max-concurrent-syncs", defaultValue = "${env:MAX_CONCURRENT_SYNCS:-8}",
      description = "GitSyncs that may sync, and ImagePolicies that may be checked, at once (default: "
          + "${DEFAULT-VALUE}). Env: MAX_CONCURRENT_SYNCS.")
  public int maxConcurrentSyncs;

  @Option(names = "--max-progressing-canaries", defaultValue = "${env:MAX_PROGRESSING_CANARIES:-0}",
      description = "At most this many canaries in flight at once; further new revisions wait in phase Waiting "
          + "(default: ${DEFAULT-VALUE}, no limit). Env: MAX_PROGRESSING_CANARIES.")
  public int maxProgressingCanaries;

  @Option(names = "--cluster-name", defaultValue = "${env:CLUSTER_NAME}",
      description = "Cluster name shown in alerts. Env: CLUSTER_NAME.")
  public String clusterName;

  @Option(names = "--slack-url", defaultValue = "${env:SLACK_URL}",
      description = "Slack webhook for canaries without analysis.alerts. Env: SLACK_URL.")
  public String slackUrl;

  @Option(names = "--slack-channel", defaultValue = "${env:SLACK_CHANNEL}", description = "Slack channel. Env: SLACK_CHANNEL.")
  public String slackChannel;

  @Option(names = "--slack-user", defaultValue = "${env:SLACK_USER:-flagger}",
      description = "Slack user name (default: ${DEFAULT-VALUE}). Env: SLACK_USER.")
  public String slackUser;

  @Option(names = "--msteams-url", defaultValue = "${env:MSTEAMS_URL}",
      description = "MS Teams webhook for canaries without analysis.alerts. Env: MSTEAMS_URL.")
  public String msteamsUrl;

  @Option(names = "--event-webhook", defaultValue = "${env:EVENT_WEBHOOK_URL}",
      description = "URL that receives every canary Event (canaries with their own event hooks use those). "
          + "Env: EVENT_WEBHOOK_URL.")
  public String eventWebhook;

  @Option(names = "--git-cache-dir", defaultValue = "${env:GIT_CACHE_DIR}",
      description = "Directory for GitSync's bare clones (default: ~/.cache/bunting/git). Env: GIT_CACHE_DIR.")
  public Path gitCacheDir;

  @Option(names = "--interval-jitter-percentage", defaultValue = "${env:INTERVAL_JITTER_PERCENTAGE:-5}",
      converter = Percentage.class,
      description = "GitSync: each periodic sync comes after spec.interval plus or minus up to this percentage of it "
          + "(0 to 99; default: ${DEFAULT-VALUE}, as Flux). Env: INTERVAL_JITTER_PERCENTAGE.")
  public int intervalJitterPercentage;

  @Mixin
  public LoggingOptions logging;

  @Option(names = "--enable-config-tracking", arity = "0..1", defaultValue = "${env:ENABLE_CONFIG_TRACKING:-true}",
      fallbackValue = "true",
      description = "Track the ConfigMaps and Secrets a target uses: a change starts a canary and the primary gets "
          + "-primary copies (default: ${DEFAULT-VALUE}; Flagger's -enable-config-tracking). "
          + "Env: ENABLE_CONFIG_TRACKING.")
  public boolean configTracking;

  @Option(names = "--leader-elect", arity = "0..1", defaultValue = "${env:LEADER_ELECT:-false}", fallbackValue = "true",
      description = "Run as one of several replicas: only the holder of a coordination.k8s.io Lease reconciles, writes "
          + "and calls webhooks; the others keep their caches warm and take over when the Lease is not renewed "
          + "(default: ${DEFAULT-VALUE}; Flagger's -enable-leader-election). Env: LEADER_ELECT.")
  public boolean leaderElect;

  @Option(names = "--leader-election-namespace", defaultValue = "${env:LEADER_ELECTION_NAMESPACE}",
      description = "Namespace of the Lease (default: the pod's namespace from POD_NAMESPACE, else the client's "
          + "namespace). Env: LEADER_ELECTION_NAMESPACE.")
  public String leaderElectionNamespace;

  @Option(names = "--leader-election-id", defaultValue = "${env:LEADER_ELECTION_ID:-bunting-leader-election}",
      description = "Name of the Lease; replicas that share it elect one leader, so give each shard its own "
          + "(default: ${DEFAULT-VALUE}). Env: LEADER_ELECTION_ID.")
  public String leaderElectionId;

  @Option(names = "--leader-election-lease-duration", defaultValue = "${env:LEADER_ELECTION_LEASE_DURATION:-15s}",
      converter = LoadTesterOptions.GoDurationConverter.class,
      description = "How long a Lease that is not renewed keeps standbys waiting: the longest takeover time after "
          + "the leader dies (default: ${DEFAULT-VALUE}). Env: LEADER_ELECTION_LEASE_DURATION.")
  public Duration leaderElectionLeaseDuration;

  @Option(names = "--leader-election-renew-deadline", defaultValue = "${env:LEADER_ELECTION_RENEW_DEADLINE:-10s}",
      converter = LoadTesterOptions.GoDurationConverter.class,
      description = "The leader stops (and the process exits) when it could not renew the Lease for this long; "
          + "less than the lease duration (default: ${DEFAULT-VALUE}). Env: LEADER_ELECTION_RENEW_DEADLINE.")
  public Duration leaderElectionRenewDeadline;

  @Option(names = "--leader-election-retry-period", defaultValue = "${env:LEADER_ELECTION_RETRY_PERIOD:-2s}",
      converter = LoadTesterOptions.GoDurationConverter.class,
      description = "How often the leader renews and standbys try to acquire the Lease; less than the renew deadline "
          + "(default: ${DEFAULT-VALUE}). Env: LEADER_ELECTION_RETRY_PERIOD.")
  public Duration leaderElectionRetryPeriod;

  @Option(names = "--watch-label-selector", defaultValue = "${env:WATCH_LABEL_SELECTOR}",
      description = "Act only on the Canaries and GitSyncs whose labels match this selector, to split a fleet between "
          + "several Bunting deployments (shards), e.g. sharding.bunting.dev/key=shard1, or "
          + "'sharding.bunting.dev/key notin (shard1,shard2)' for the main one (default: every one). "
          + "Env: WATCH_LABEL_SELECTOR.")
  public String watchLabelSelector;

  @Option(names = "--kube-api-qps", defaultValue = "${env:KUBE_API_QPS:-0}", converter = NonNegativeNumber.class,
      description = "Requests per second the controller may send to the Kubernetes API server, all its clients "
          + "together (Flagger's -kubeconfig-qps, also accepted as --kubeconfig-qps); 0: no client-side limit "
          + "(default: ${DEFAULT-VALUE}). Env: KUBE_API_QPS.")
  public double kubeApiQps;

  @Option(names = "--kube-api-burst", defaultValue = "${env:KUBE_API_BURST:-0}", converter = NonNegativeInteger.class,
      description = "Requests that may go at once above --kube-api-qps (Flagger's -kubeconfig-burst, also accepted "
          + "as --kubeconfig-burst); 0: the QPS rounded up (default: ${DEFAULT-VALUE}). Env: KUBE_API_BURST.")
  public int kubeApiBurst;

  @Option(names = "--idle-gc-after", defaultValue = "${env:IDLE_GC_AFTER:-5m}", converter = DurationOrOff.class,
      description = "When the controller has written nothing to the API server for this long (idle) and its heap "
          + "has grown well past its initial size, collect once so the heap gives back what it does not use; 0 "
          + "turns it off (default: ${DEFAULT-VALUE}). Env: IDLE_GC_AFTER.")
  public Duration idleGcAfter;

  /**
   * Flagger's name of --kube-api-qps: a separate hidden option rather than an alias, so that an error names the option
   * the user typed (picocli names an option by its longest name). When given, it wins.
   */
  @Option(names = "--kubeconfig-qps", hidden = true, converter = NonNegativeNumber.class)
  Double kubeconfigQps;

  /** Flagger's name of --kube-api-burst (see {@link #kubeconfigQps}). */
  @Option(names = "--kubeconfig-burst", hidden = true, converter = NonNegativeInteger.class)
  Integer kubeconfigBurst;

  private ApiRateLimiter apiRateLimiter;

  /**
   * The limiter for {@code --kube-api-qps}/{@code --kube-api-burst}, one per options object (so every client built
   * from these options shares it); empty when the QPS is 0.
   */
  public synchronized Optional<ApiRateLimiter> apiRateLimiter() {
    if (kubeApiQps() <= 0) {
      return Optional.empty();
    }
    if (apiRateLimiter == null) {
      apiRateLimiter = new ApiRateLimiter(kubeApiQps(), kubeApiBurst());
    }
    return Optional.of(apiRateLimiter);
  }

  /** {@code --kube-api-qps}, or Flagger's {@code --kubeconfig-qps} when given. */
  public double kubeApiQps() {
    return kubeconfigQps != null ? kubeconfigQps : kubeApiQps;
  }

  /** {@code --kube-api-burst}, or Flagger's {@code --kubeconfig-burst} when given. */
  public int kubeApiBurst() {
    return kubeconfigBurst != null ? kubeconfigBurst : kubeApiBurst;
  }

  /** A finite number, 0 or more. */
  static final class NonNegativeNumber implements picocli.CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double d;
      try {
        d = Double.parseDouble(value.trim());
      } catch (NumberFormatException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a number");
      }
      if (!(d >= 0) || Double.isInfinite(d)) {
        throw new picocli.CommandLine.TypeConversionException("must be 0 or more, got " + value.trim());
      }
      return d;
    }
  }

  /** A whole number, 0 or more. */
  static final class NonNegativeInteger implements picocli.CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      int n;
      try {
        n = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a whole number");
      }
      if (n < 0) {
        throw new picocli.CommandLine.TypeConversionException("must be 0 or more, got " + n);
      }
      return n;
    }
  }

  /** A duration such as 30s or 10m; 0 (or off) for none. */
  static final class DurationOrOff implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim();
      return v.equals("0") || v.equals("off") ? Duration.ZERO
          : new LoadTesterOptions.GoDurationConverter().convert(v);
    }
  }

  /** A whole percentage from 0 to 99. */
  static final class Percentage implements picocli.CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      int n;
      try {
        n = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a whole number");
      }
      if (n < 0 || n > 99) {
        throw new picocli.CommandLine.TypeConversionException("must be from 0 to 99, got " + n);
      }
      return n;
    }
  }

  public Optional<String> metricsServer() {
    return Optional.ofNullable(metricsServer).filter(s -> !s.isBlank());
  }

  public Optional<String> namespace() {
    return Optional.ofNullable(namespace).filter(s -> !s.isBlank());
  }

  /** {@code --watch-label-selector}, parsed. */
  public ShardSelector shardSelector() {
    return ShardSelector.parse(watchLabelSelector);
  }

  /** Options with every default, as the tests and the playground start the controller. */
  public static ControllerOptions defaults() {
    ControllerOptions o = new ControllerOptions();
    picocli.CommandLine cl = new picocli.CommandLine(new Holder(o));
    cl.parseArgs();
    return o;
  }

  @picocli.CommandLine.Command(name = "defaults")
  private static final class Holder {
    @picocli.CommandLine.Mixin
    final ControllerOptions options;

    Holder(ControllerOptions options) {
      this.options = options;
    }
  }
}
