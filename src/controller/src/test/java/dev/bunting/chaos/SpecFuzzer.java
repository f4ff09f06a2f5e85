package dev.bunting.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded, reproducible bad input: Canary, MetricTemplate, AlertProvider and GitSync objects, each a valid object
 * with one to three mutations (a wrong type, an extreme number, a bad duration, a bad Go template, a reference to
 * nothing, an unknown provider, a huge string, a field removed). The same seed always gives the same cases, so a
 * failure is replayed with {@code new SpecFuzzer(seed).next(prefix)} up to its index.
 *
 * <p>A MetricTemplate or AlertProvider case comes with a Canary that uses it ({@link FuzzCase#holder}), since they are
 * read only through a Canary, which is where their problems are reported.
 */
public final class SpecFuzzer {
  /** The kinds fuzzed: API version and kind. */
  public enum Kind {
    CANARY("flagger.app/v1beta1", "Canary"),
    METRIC_TEMPLATE("flagger.app/v1beta1", "MetricTemplate"),
    ALERT_PROVIDER("flagger.app/v1beta1", "AlertProvider"),
    GIT_SYNC("bunting.dev/v1alpha1", "GitSync");

    public final String apiVersion;
    public final String kind;

    Kind(String apiVersion, String kind) {
      this.apiVersion = apiVersion;
      this.kind = kind;
    }
  }

  /**
   * One case: the object, what was done to it, and for a MetricTemplate or AlertProvider the Canary using it (else
   * null).
   */
  public record FuzzCase(int index, Kind kind, String name, Map<String, Object> object, List<String> mutations,
      Map<String, Object> holder) {}

  private static final String[] BAD_DURATIONS = {"", "10", "-5s", "1y", "9999999999999h", "1.5.5s", "P1D", "0s",
      "5 m", "∞", "1e400s", "NaNs"};
  private static final String[] BAD_TEMPLATES = {"{{", "{{ .Foo }", "{{ index . }}", "{{ range }}{{ end }}",
      "{{ variables.missing }}", "{{ template \"x\" }}", "{{ printf \"%s\" (call .X) }}", "}}{{", "{{ end }}",
      "{{ namespace | nosuchfunc }}", "{{ if }}",
      "{{ define \"a\" }}{{ template \"a\" }}{{ end }}{{ template \"a\" }}"};
  private static final Object[] EXTREME_NUMBERS = {Long.MAX_VALUE, Long.MIN_VALUE, -1, 0, 1e308, -1e308,
      2147483648L, -2147483649L, 4.9e-324, 101, 1_000_000};
  private static final String[] UNKNOWN_PROVIDERS = {"foo-mesh", "istio:v0", "gatewayapi:v9", "", "KUBERNETES",
      "datadogx", "pager", "../../etc"};

  private final long seed;
  private final Random random;
  private int index;

  public SpecFuzzer(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  public long seed() {
    return seed;
  }

  /** The next case; {@code prefix} starts every object's name. */
  public FuzzCase next(String prefix) {
    int i = index++;
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    String name = prefix + i;
    Map<String, Object> spec = switch (kind) {
      case CANARY -> canarySpec(name, name + "-tmpl", name + "-alert");
      case METRIC_TEMPLATE -> metricTemplateSpec();
      case ALERT_PROVIDER -> alertProviderSpec();
      case GIT_SYNC -> gitSyncSpec(name);
    };
    List<String> done = new ArrayList<>();
    int n = 1 + random.nextInt(3);
    for (int m = 0; m < n; m++) {
      done.add(mutate(kind, spec));
    }
    Map<String, Object> holder = null;
    if (kind == Kind.METRIC_TEMPLATE) {
      holder = object(Kind.CANARY, name + "-uses", canarySpec(name + "-uses", name, "absent-alert-provider"));
    } else if (kind == Kind.ALERT_PROVIDER) {
      holder = object(Kind.CANARY, name + "-uses", canarySpec(name + "-uses", "absent-template", name));
    }
    return new FuzzCase(i, kind, name, object(kind, name, spec), done, holder);
  }

  private static Map<String, Object> object(Kind kind, String name, Map<String, Object> spec) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("apiVersion", kind.apiVersion);
    o.put("kind", kind.kind);
    o.put("metadata", new LinkedHashMap<>(Map.of("name", name, "labels", Map.of("bunting.dev/fuzz", "true"))));
    o.put("spec", spec);
    return o;
  }

  // --- valid objects ---------------------------------------------------------------------------

  private static Map<String, Object> canarySpec(String name, String template, String alertProvider) {
    return map(
        "provider", "gatewayapi:v1",
        "targetRef", map("apiVersion", "apps/v1", "kind", "Deployment", "name", name + "-app"),
        "progressDeadlineSeconds", 60,
        "service", map("port", 9898, "gatewayRefs", list(map("name", "public-gateway"))),
        "analysis", map(
            "interval", "10s",
            "threshold", 2,
            "stepWeight", 10,
            "maxWeight", 50,
            "metrics", list(
                map("name", "request-success-rate", "interval", "1m", "thresholdRange", map("min", 99)),
                map("name", "custom", "interval", "1m", "templateRef", map("name", template),
                    "thresholdRange", map("max", 5))),
            "webhooks", list(map("name", "load", "url", "http://127.0.0.1:1/", "timeout", "5s",
                "metadata", map("cmd", "hey -z 1m http://podinfo-canary:9898/"))),
            "alerts", list(map("name", "on-call", "severity", "error", "providerRef", map("name", alertProvider)))));
  }

  private static Map<String, Object> metricTemplateSpec() {
    return map(
        "provider", map("type", "prometheus", "address", "http://127.0.0.1:1"),
        "query", "sum(rate(http_requests_total{namespace=\"{{ namespace }}\",pod=~\"{{ target }}-[0-9a-z]+\"}"
            + "[{{ interval }}]))");
  }

  private static Map<String, Object> alertProviderSpec() {
    return map("type", "slack", "channel", "general", "username", "bunting", "address", "http://127.0.0.1:1/hook");
  }

  private static Map<String, Object> gitSyncSpec(String name) {
    return map(
        "url", "http://127.0.0.1:1/" + name + ".git",
        "ref", map("branch", "main"),
        "path", "deploy",
        "interval", "5m",
        "timeout", "1m",
        "prune", true);
  }

  // --- mutations -------------------------------------------------------------------------------

  private static final Map<Kind, String[]> PATHS = Map.of(
      Kind.CANARY, new String[] {"provider", "targetRef.kind", "targetRef.apiVersion", "targetRef.name",
          "service.port", "service.gatewayRefs", "progressDeadlineSeconds", "skipAnalysis", "analysis.interval",
          "analysis.threshold", "analysis.stepWeight", "analysis.maxWeight", "analysis.stepWeights",
          "analysis.iterations", "analysis.metrics.0.thresholdRange.min", "analysis.metrics.0.interval",
          "analysis.metrics.0.name", "analysis.metrics.0.query", "analysis.metrics.1.templateRef.name",
          "analysis.webhooks.0.url", "analysis.webhooks.0.timeout", "analysis.webhooks.0.type",
          "analysis.alerts.0.providerRef.name", "analysis.alerts.0.severity", "analysis.metrics", "analysis",
          "autoscalerRef", "analysis.primaryReadyThreshold", "analysis.canaryReadyThreshold",
          "analysis.sessionAffinity.cookieName", "analysis.match"},
      Kind.METRIC_TEMPLATE, new String[] {"provider.type", "provider.address", "provider.secretRef.name",
          "provider.insecureSkipVerify", "query", "provider"},
      Kind.ALERT_PROVIDER, new String[] {"type", "channel", "username", "address", "secretRef.name", "proxy"},
      Kind.GIT_SYNC, new String[] {"url", "ref.branch", "ref.tag", "ref.commit", "ref.semver", "path", "interval",
          "timeout", "prune", "secretRef.name", "targetNamespace", "dependsOn", "suspend", "deletionPolicy",
          "receiver.type", "receiver.secretRef.name", "rollback"});

  /** Applies one random mutation to {@code spec}; returns what it did, e.g. {@code interval="1y" (bad duration)}. */
  private String mutate(Kind kind, Map<String, Object> spec) {
    String[] paths = PATHS.get(kind);
    String path = paths[random.nextInt(paths.length)];
    int what = random.nextInt(9);
    Object value;
    String label;
    switch (what) {
      case 0 -> {
        value = wrongType();
        label = "wrong type";
      }
      case 1 -> {
        value = EXTREME_NUMBERS[random.nextInt(EXTREME_NUMBERS.length)];
        label = "extreme number";
      }
      case 2 -> {
        value = BAD_DURATIONS[random.nextInt(BAD_DURATIONS.length)];
        label = "bad duration";
      }
      case 3 -> {
        value = BAD_TEMPLATES[random.nextInt(BAD_TEMPLATES.length)];
        path = kind == Kind.METRIC_TEMPLATE ? "query" : kind == Kind.CANARY ? "analysis.metrics.0.query" : path;
        label = "bad Go template";
      }
      case 4 -> {
        value = "absent-" + Long.toHexString(random.nextLong() & 0xffffff);
        path = switch (kind) {
          case CANARY -> random.nextBoolean() ? "analysis.metrics.1.templateRef.name"
              : "analysis.alerts.0.providerRef.name";
          case METRIC_TEMPLATE -> "provider.secretRef.name";
          case ALERT_PROVIDER -> "secretRef.name";
          case GIT_SYNC -> random.nextBoolean() ? "secretRef.name" : "dependsOn";
        };
        if (path.equals("dependsOn")) {
          value = list(map("name", value));
        }
        label = "missing reference";
      }
      case 5 -> {
        value = UNKNOWN_PROVIDERS[random.nextInt(UNKNOWN_PROVIDERS.length)];
        path = switch (kind) {
          case CANARY -> "provider";
          case METRIC_TEMPLATE -> "provider.type";
          case ALERT_PROVIDER -> "type";
          case GIT_SYNC -> "receiver.type";
        };
        label = "unknown provider";
      }
      case 6 -> {
        int size = random.nextInt(20) == 0 ? 1_200_000 : 1 + random.nextInt(70_000);
        value = "x".repeat(size);
        label = "huge string (" + size + " chars)";
      }
      case 7 -> {
        value = REMOVE;
        label = "removed";
      }
      default -> {
        value = strange();
        label = "strange string";
      }
    }
    set(spec, path, value);
    String shown = value == REMOVE ? "" : "=" + abbreviate(value);
    return path + shown + " (" + label + ")";
  }

  private static final Object REMOVE = new Object();

  private Object wrongType() {
    return switch (random.nextInt(6)) {
      case 0 -> "not-a-number";
      case 1 -> 42;
      case 2 -> true;
      case 3 -> new ArrayList<>(List.of(1, "two"));
      case 4 -> new LinkedHashMap<>(Map.of("unexpected", Map.of("nested", 1)));
      default -> 3.75;
    };
  }

  private String strange() {
    String[] s = {"\u0000", "\n\n", "' OR 1=1 --", "${jndi:ldap://127.0.0.1:1/a}", "../../../../etc/passwd",
        "\uD83D\uDE00\u202E", "<script>alert(1)</script>", "%s%s%s%n", " ", "a".repeat(254) + ".example",
        "http://user:pass@127.0.0.1:1/"};
    return s[random.nextInt(s.length)];
  }

  private static String abbreviate(Object value) {
    String s = String.valueOf(value);
    return s.length() > 40 ? s.substring(0, 20) + "...(" + s.length() + " chars)" : "\"" + s + "\"";
  }

  @SuppressWarnings("unchecked")
  private static void set(Map<String, Object> root, String path, Object value) {
    String[] parts = path.split("\\.");
    Object node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = get(node, parts[i]);
      if (!(child instanceof Map) && !(child instanceof List)) {
        if (child != null && i < parts.length - 1) {
          return; // a scalar on the way (an earlier mutation): nothing to set below it
        }
        child = new LinkedHashMap<String, Object>();
        if (node instanceof Map) {
          ((Map<String, Object>) node).put(parts[i], child);
        } else {
          return;
        }
      }
      node = child;
    }
    String last = parts[parts.length - 1];
    if (node instanceof Map) {
      Map<String, Object> m = (Map<String, Object>) node;
      if (value == REMOVE) {
        m.remove(last);
      } else {
        m.put(last, value);
      }
    } else if (node instanceof List && last.matches("\\d+")) {
      List<Object> l = (List<Object>) node;
      int at = Integer.parseInt(last);
      if (at < l.size()) {
        if (value == REMOVE) {
          l.remove(at);
        } else {
          l.set(at, value);
        }
      }
    }
  }

  private static Object get(Object node, String key) {
    if (node instanceof Map<?, ?> m) {
      return m.get(key);
    }
    if (node instanceof List<?> l && key.matches("\\d+")) {
      int at = Integer.parseInt(key);
      return at < l.size() ? l.get(at) : null;
    }
    return null;
  }

  // mutable maps and lists, so that mutations can change them
  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static List<Object> list(Object... items) {
    return new ArrayList<>(List.of(items));
  }
}
