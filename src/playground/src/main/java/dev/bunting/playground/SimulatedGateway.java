package dev.bunting.playground;

import dev.bunting.testing.GatewayStatusController;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data-plane half of a simulated Gateway API implementation: an HTTP server that, for each request, finds the
 * HTTPRoute attached to its Gateway for the request's host, draws a backend Service by the route's current weights
 * (read from an informer on the API server, so a weight Bunting writes takes effect at once), picks one of the
 * Service's ready pods from its EndpointSlices (round robin) and proxies the request to that pod's
 * {@link SimulatedApp}. No route: 404; no weight or no ready pod: 503; a pod that does not answer: 502.
 */
public final class SimulatedGateway implements AutoCloseable {
  /** The header that says which pod served a response. */
  public static final String POD_HEADER = "X-Pod";

  private final Vertx vertx;
  private final String namespace;
  private final String gatewayName;
  private final SharedIndexInformer<GenericKubernetesResource> routes;
  private final ServiceEndpoints endpoints;
  private final SimulatedPods pods;
  private final HttpClient upstream;
  private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> routed = new ConcurrentHashMap<>();
  private HttpServer server;

  public SimulatedGateway(Vertx vertx, KubernetesClient client, String namespace, String gatewayName,
      SimulatedPods pods) {
    this.vertx = vertx;
    this.namespace = namespace;
    this.gatewayName = gatewayName;
    this.pods = pods;
    this.routes = client.genericKubernetesResources(GatewayStatusController.HTTP_ROUTES).inNamespace(namespace)
        .runnableInformer(0);
    this.endpoints = new ServiceEndpoints(client, namespace);
    this.upstream = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000).setIdleTimeout(30),
        new PoolOptions().setHttp1MaxSize(50));
  }

  /** Starts the watches and listens on {@code port} of 127.0.0.1 (0: any free port). */
  public Future<SimulatedGateway> start(int port) {
    var context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(routes.start(), context)
        .compose(v -> Future.fromCompletionStage(endpoints.start(), context))
        .compose(v -> vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1"))
        .map(s -> {
          server = s;
          return this;
        });
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  public String gatewayName() {
    return gatewayName;
  }

  /** Requests proxied to each backend Service so far. */
  public Map<String, Long> routedByService() {
    Map<String, Long> out = new TreeMap<>();
    routed.forEach((svc, n) -> out.put(svc, n.get()));
    return out;
  }

  /** The route for {@code host} as the gateway sees it now. */
  public Optional<RouteBackends> route(String host) {
    return routes.getStore().list().stream()
        .sorted(Comparator.comparing(r -> r.getMetadata().getName()))
        .map(r -> RouteBackends.of(r, gatewayName, host))
        .flatMap(Optional::stream)
        .findFirst();
  }

  private void handle(HttpServerRequest request) {
    Optional<RouteBackends> route = route(request.authority() == null ? null : request.authority().host());
    if (route.isEmpty()) {
      request.response().setStatusCode(404).end("no HTTPRoute of gateway " + gatewayName + " in " + namespace
          + " serves this host\n");
      return;
    }
    RouteBackends backends = route.get();
    int total = backends.totalWeight();
    Optional<RouteBackends.Backend> backend = total <= 0 ? Optional.empty()
        : backends.pick(ThreadLocalRandom.current().nextInt(total));
    if (backend.isEmpty()) {
      request.response().setStatusCode(503).end("HTTPRoute " + backends.route() + " has no weighted backend\n");
      return;
    }
    String service = backend.get().service();
    Optional<SimulatedApp> app = pickPod(service);
    if (app.isEmpty()) {
      request.response().setStatusCode(503).end("no ready pod behind Service " + service + "\n");
      return;
    }
    routed.computeIfAbsent(service, s -> new AtomicLong()).incrementAndGet();
    proxy(request, app.get());
  }

  private Optional<SimulatedApp> pickPod(String service) {
    List<SimulatedApp> ready = endpoints.readyPods(service).stream().map(pods::app).flatMap(Optional::stream).toList();
    if (ready.isEmpty()) {
      return Optional.empty();
    }
    int n = roundRobin.computeIfAbsent(service, s -> new AtomicInteger()).getAndIncrement();
    return Optional.of(ready.get(Math.floorMod(n, ready.size())));
  }

  private void proxy(HttpServerRequest request, SimulatedApp app) {
    RequestOptions options = new RequestOptions().setMethod(request.method()).setHost("127.0.0.1")
        .setPort(app.port()).setURI(request.uri()).setTimeout(10_000);
    request.body()
        .compose(body -> upstream.request(options).compose(r -> r.send(body)))
        .compose(response -> response.body().map(body -> {
          request.response().setStatusCode(response.statusCode());
          for (String header : List.of("Content-Type", POD_HEADER)) {
            String value = response.getHeader(header);
            if (value != null) {
              request.response().putHeader(header, value);
            }
          }
          return request.response().end(body);
        }))
        .onFailure(e -> {
          if (!request.response().ended()) {
            request.response().setStatusCode(502).end("pod " + app.pod() + " did not answer: " + e.getMessage() + "\n");
          }
        });
  }

  @Override
  public void close() {
    routes.stop();
    endpoints.close();
    if (server != null) {
      server.close();
    }
    upstream.close();
  }
}
