package dev.bunting.cli;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bunting cds-training-api} (hidden): an empty Kubernetes API for the training start of {@code
 * scripts/cds-archive} where no cluster is reachable (an image build). It answers what a controller asks while it
 * starts, and nothing more: discovery of the kinds Bunting watches, an empty list of every kind, and watches that stay
 * open without events. Against it the training controller goes all the way to ready (the informers, the first lists
 * and the engines), so the class-data-sharing archive covers the whole start, as one trained against a cluster does.
 * Writes are refused (404): an empty namespace gives the controller nothing to write. Plain HTTP on the loopback
 * address only; it serves until stopped.
 */
@Command(name = "cds-training-api", hidden = true,
    description = "Serve an empty Kubernetes API on the loopback address for a class-data-sharing training start.")
public final class TrainingApiCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "18090", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int port;

  /** group/version -> plural -> kind: what discovery lists (the kinds Bunting's engines and default routers use). */
  static final Map<String, Map<String, String>> SERVED = served();

  private static Map<String, Map<String, String>> served() {
    Map<String, Map<String, String>> m = new LinkedHashMap<>();
    m.put("v1", kinds("services", "Service", "configmaps", "ConfigMap", "secrets", "Secret", "events", "Event",
        "pods", "Pod", "namespaces", "Namespace"));
    m.put("apps/v1", kinds("deployments", "Deployment", "daemonsets", "DaemonSet", "statefulsets", "StatefulSet"));
    m.put("autoscaling/v2", kinds("horizontalpodautoscalers", "HorizontalPodAutoscaler"));
    m.put("networking.k8s.io/v1", kinds("ingresses", "Ingress"));
    m.put("coordination.k8s.io/v1", kinds("leases", "Lease"));
    m.put("flagger.app/v1beta1", kinds("canaries", "Canary", "metrictemplates", "MetricTemplate", "alertproviders",
        "AlertProvider"));
    m.put("bunting.dev/v1alpha1", kinds("gitsyncs", "GitSync", "imagepolicies", "ImagePolicy"));
    m.put("gateway.networking.k8s.io/v1", kinds("httproutes", "HTTPRoute"));
    m.put("gateway.networking.k8s.io/v1beta1", kinds("httproutes", "HTTPRoute"));
    return m;
  }

  private static Map<String, String> kinds(String... pluralKind) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pluralKind.length; i += 2) {
      m.put(pluralKind[i], pluralKind[i + 1]);
    }
    return m;
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer().requestHandler(TrainingApiCommand::answer);
    server.listen(port, "127.0.0.1").await();
    System.err.println("cds-training-api: an empty Kubernetes API on http://127.0.0.1:" + server.actualPort());
    new CountDownLatch(1).await(); // until the process is stopped
    return 0;
  }

  static void answer(HttpServerRequest req) {
    String path = req.path();
    if (!"GET".equals(req.method().name())) {
      status(req, 404, "NotFound", "this empty API accepts no writes");
      return;
    }
    String watch = req.getParam("watch");
    if ("true".equals(watch) || "1".equals(watch)) {
      if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
        req.toWebSocket(); // open, and never an event
      } else {
        req.response().setChunked(true).putHeader("Content-Type", "application/json").setStatusCode(200)
            .writeHead();
      }
      return;
    }
    JsonObject body = answerTo(path);
    if (body == null) {
      status(req, 404, "NotFound", path + " not found");
    } else {
      req.response().putHeader("Content-Type", "application/json").end(body.encode());
    }
  }

  /** The answer to a GET of {@code path} (not a watch), or null for 404. */
  static JsonObject answerTo(String path) {
    if (path.equals("/version")) {
      return new JsonObject().put("major", "1").put("minor", "35").put("gitVersion", "v1.35.0");
    }
    if (path.equals("/api")) {
      return new JsonObject().put("kind", "APIVersions").put("versions", new JsonArray().add("v1"));
    }
    if (path.equals("/apis")) {
      Map<String, JsonArray> groups = new LinkedHashMap<>();
      SERVED.keySet().stream().filter(gv -> gv.contains("/")).forEach(gv -> groups
          .computeIfAbsent(gv.substring(0, gv.indexOf('/')), g -> new JsonArray())
          .add(new JsonObject().put("groupVersion", gv).put("version", gv.substring(gv.indexOf('/') + 1))));
      JsonArray list = new JsonArray();
      groups.forEach((name, versions) -> list.add(new JsonObject().put("name", name).put("versions", versions)
          .put("preferredVersion", versions.getJsonObject(0))));
      return new JsonObject().put("kind", "APIGroupList").put("apiVersion", "v1").put("groups", list);
    }
    List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/"));
    // /api/v1[/...] or /apis/<group>/<version>[/...]
    int at = parts.get(0).equals("api") ? 1 : parts.get(0).equals("apis") ? 2 : -1;
    if (at < 0 || parts.size() <= at) {
      return null;
    }
    String gv = at == 1 ? parts.get(1) : parts.get(1) + "/" + parts.get(2);
    Map<String, String> kinds = SERVED.get(gv);
    if (kinds == null) {
      return null;
    }
    List<String> rest = parts.subList(at + 1, parts.size());
    if (rest.isEmpty()) {
      JsonArray resources = new JsonArray();
      kinds.forEach((plural, kind) -> resources.add(new JsonObject().put("name", plural).put("kind", kind)
          .put("namespaced", !kind.equals("Namespace")).put("singularName", kind.toLowerCase())
          .put("verbs", new JsonArray(List.of("get", "list", "watch", "create", "update", "patch", "delete")))));
      return new JsonObject().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", gv)
          .put("resources", resources);
    }
    // a list: <plural> or namespaces/<ns>/<plural>
    String plural = rest.size() == 1 ? rest.get(0) : rest.size() == 3 && rest.get(0).equals("namespaces")
        ? rest.get(2) : null;
    String kind = plural == null ? null : kinds.get(plural);
    if (kind == null) {
      return null;
    }
    return new JsonObject().put("apiVersion", gv).put("kind", kind + "List")
        .put("metadata", new JsonObject().put("resourceVersion", "1")).put("items", new JsonArray());
  }

  private static void status(HttpServerRequest req, int code, String reason, String message) {
    req.response().setStatusCode(code).putHeader("Content-Type", "application/json").end(new JsonObject()
        .put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("reason", reason)
        .put("message", message).put("code", code).encode());
  }
}
