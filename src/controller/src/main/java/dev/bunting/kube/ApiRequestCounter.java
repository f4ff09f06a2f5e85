package dev.bunting.kube;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts every request Bunting's Kubernetes client sends, as {@code bunting_kube_api_requests_total{verb,resource}}.
 * Informer caches make a steady-state canary cost zero requests per interval; this counter is how that is measured
 * (in tests and in production dashboards). Watches are counted as {@code watch}, list calls as {@code list}. Tests
 * extend it to keep what each request was.
 */
public class ApiRequestCounter implements Interceptor {
  private final Counter requests;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong watches = new AtomicLong();

  public ApiRequestCounter(PrometheusRegistry registry) {
    this.requests = Counter.builder()
        .name("bunting_kube_api_requests_total")
        .help("Requests sent to the Kubernetes API server, by verb and resource")
        .labelNames("verb", "resource")
        .register(registry);
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String verb = verb(request);
    requests.labelValues(verb, resource(request.uri().getPath())).inc();
    if (verb.equals("watch")) {
      watches.incrementAndGet();
    } else if (verb.equals("get") || verb.equals("list")) {
      reads.incrementAndGet();
    } else {
      writes.incrementAndGet();
    }
  }

  /** Requests that change something (create, update, patch, delete) since start. */
  public long writes() {
    return writes.get();
  }

  /** get and list requests since start (informers list once per start and after a lost watch). */
  public long reads() {
    return reads.get();
  }

  /** Watch requests since start (one per informer, plus reconnects). */
  public long watches() {
    return watches.get();
  }

  /** All requests since start. */
  public long total() {
    return writes.get() + reads.get() + watches.get();
  }

  static String verb(HttpRequest request) {
    String query = request.uri().getRawQuery();
    return switch (request.method()) {
      case "GET" -> query != null && query.contains("watch=true") ? "watch" : isCollection(request.uri().getPath()) ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> request.method().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** {@code /api/v1/namespaces/ns/pods} is a collection; {@code /api/v1/namespaces/ns/pods/name} is not. */
  private static boolean isCollection(String path) {
    String[] parts = path.replaceAll("^/+|/+$", "").split("/");
    int start = parts.length > 0 && parts[0].equals("api") ? 2 : 3; // api/v1 or apis/group/version
    int rest = parts.length - start;
    if (rest >= 2 && parts[start].equals("namespaces")) {
      rest -= 2;
    }
    return rest == 1;
  }

  /** The resource plural of a request path, e.g. {@code deployments} or {@code canaries/status}. */
  static String resource(String path) {
    String[] parts = path.replaceAll("^/+|/+$", "").split("/");
    int i = parts.length > 0 && parts[0].equals("api") ? 2 : 3;
    if (parts.length > i + 1 && parts[i].equals("namespaces")) {
      i += 2;
      if (parts.length <= i) {
        return "namespaces";
      }
    }
    if (parts.length <= i) {
      return parts.length > 0 ? parts[parts.length - 1] : "";
    }
    String res = parts[i];
    return parts.length > i + 2 ? res + "/" + parts[i + 2] : res;
  }
}
