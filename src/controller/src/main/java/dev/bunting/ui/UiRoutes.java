package dev.bunting.ui;

import dev.bunting.api.Canary;
import dev.bunting.api.GitSync;
import dev.bunting.canary.ActionAnnotation;
import dev.bunting.canary.ActionRequest.Action;
import dev.bunting.http.RouteContributor;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.ResourceCache;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web UI on the controller's HTTP port ({@code --ui}):
 *
 * <ul>
 *   <li>{@code GET /ui}: the list of Canaries and GitSyncs; {@code GET /ui/canaries/{namespace}/{name}}: one canary's
 *       page (status, analysis, timeline, plot, Events). The data is in the page, so it renders without a request.
 *   <li>{@code GET /ui/api/rollouts}, {@code GET /ui/api/canaries/{namespace}/{name}}: the same as JSON.
 *   <li>{@code GET /ui/events}: server-sent events ({@link UiEventStream}).
 *   <li>{@code POST /ui/api/canaries/{namespace}/{name}/actions/{promote|abort|retry|pause|resume}}: writes the request
 *       ({@link ActionAnnotation}). Needs {@code Content-Type: application/json} (415), an {@code Origin}, when sent,
 *       equal to the page's own (403), and {@code Authorization: Bearer <token>} of a user the API server authenticates
 *       (401) and allows to patch the Canary (403; {@link UiAccess}). Cookies are never read, so another site cannot
 *       act with a visitor's credentials. Body: {@code {}} or {@code {"force": true}} (promote).
 * </ul>
 *
 * Everything read comes from the informer caches, except a canary's Kubernetes Events: those are listed when its page
 * or its JSON is asked for (one request, on the blocking pool), so no Event is held in memory between views. Actions
 * (TokenReview, SubjectAccessReview, the patch) call the API server, on the blocking pool, too.
 */
public final class UiRoutes implements RouteContributor {
  private static final Logger LOG = LoggerFactory.getLogger(UiRoutes.class);
  /** Events shown per canary, newest kept. */
  static final int MAX_EVENTS = 50;
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final ResourceCache<Canary> canaries;
  private final Optional<ResourceCache<GitSync>> gitSyncs;
  /** Whether a canary's page lists its Events ({@code --ui} with the right to list Events). */
  private final boolean showEvents;
  private final CanaryHistory history;
  private final UiAccess access;
  private final KubernetesClient client;
  private final BlockingPool pool;
  private final Clock clock;
  private final UiEventStream stream;
  private final String page;
  private final Map<String, Asset> assets;

  private record Asset(String contentType, byte[] bytes) {}

  public UiRoutes(Vertx vertx, ResourceCache<Canary> canaries, Optional<ResourceCache<GitSync>> gitSyncs,
      boolean showEvents, CanaryHistory history, UiAccess access, KubernetesClient client,
      BlockingPool pool, Clock clock, long debounceMs) {
    this.canaries = canaries;
    this.gitSyncs = gitSyncs;
    this.showEvents = showEvents;
    this.history = history;
    this.access = access;
    this.client = client;
    this.pool = pool;
    this.clock = clock;
    Map<UiEventStream.Kind, Function<String, JsonObject>> rows = new EnumMap<>(UiEventStream.Kind.class);
    rows.put(UiEventStream.Kind.CANARY, this::canaryRowWithLatest);
    rows.put(UiEventStream.Kind.GITSYNC, key -> gitSyncs.flatMap(c -> get(c, key)).map(RolloutJson::gitSyncRow)
        .orElse(null));
    this.stream = new UiEventStream(vertx, debounceMs, this::rollouts, rows);
    this.page = new String(resource("index.html"), StandardCharsets.UTF_8);
    this.assets = Map.of(
        "app.js", new Asset("text/javascript; charset=utf-8", resource("app.js")),
        "style.css", new Asset("text/css; charset=utf-8", resource("style.css")));
    canaries.onChange(c -> {
      history.observe(c);
      stream.changed(UiEventStream.Kind.CANARY, RolloutJson.key(c.getMetadata().getNamespace(),
          c.getMetadata().getName()));
    });
    canaries.onDelete(c -> history.forget(c.getMetadata().getNamespace(), c.getMetadata().getName()));
    gitSyncs.ifPresent(g -> g.onChange(s -> stream.changed(UiEventStream.Kind.GITSYNC,
        RolloutJson.key(s.getMetadata().getNamespace(), s.getMetadata().getName()))));
  }

  public UiEventStream stream() {
    return stream;
  }

  @Override
  public void mount(Router router) {
    router.get("/ui").handler(ctx -> html(ctx, new JsonObject().put("view", "list").put("data", rollouts())));
    router.get("/ui/").handler(ctx -> html(ctx, new JsonObject().put("view", "list").put("data", rollouts())));
    router.get("/ui/canaries/:namespace/:name").handler(ctx -> detail(ctx.pathParam("namespace"),
        ctx.pathParam("name")).onComplete(r -> {
          if (r.result() == null) {
            ctx.response().setStatusCode(404);
          }
          html(ctx, new JsonObject().put("view", "canary").put("namespace", ctx.pathParam("namespace"))
              .put("name", ctx.pathParam("name")).put("data", r.result()));
        }));
    router.get("/ui/app.js").handler(ctx -> asset(ctx, "app.js"));
    router.get("/ui/style.css").handler(ctx -> asset(ctx, "style.css"));
    router.get("/ui/api/rollouts").handler(ctx -> json(ctx, 200, rollouts()));
    router.get("/ui/api/canaries/:namespace/:name").handler(ctx -> detail(ctx.pathParam("namespace"),
        ctx.pathParam("name")).onComplete(r -> json(ctx, r.result() == null ? 404 : 200,
            r.result() == null ? error("no such canary") : r.result())));
    router.get("/ui/events").handler(ctx -> stream.open(ctx.response()));
    router.post("/ui/api/canaries/:namespace/:name/actions/:action").handler(this::act);
  }

  // ---------------------------------------------------------------------------------------------
  // reads (caches only)

  /** {@code {"canaries": [...], "gitSyncs": [...], "gitSyncEnabled": bool, "at": now}}, sorted by key. */
  JsonObject rollouts() {
    JsonArray cs = new JsonArray();
    canaries.list(null).stream().sorted(BY_KEY).forEach(c -> cs.add(RolloutJson.canaryRow(c)));
    JsonArray gs = new JsonArray();
    gitSyncs.ifPresent(cache -> cache.list(null).stream().sorted(BY_KEY)
        .forEach(g -> gs.add(RolloutJson.gitSyncRow(g))));
    return new JsonObject().put("canaries", cs).put("gitSyncs", gs).put("gitSyncEnabled", gitSyncs.isPresent())
        .put("at", clock.instant().toString());
  }

  private static final Comparator<HasMetadata> BY_KEY = Comparator
      .comparing((HasMetadata o) -> o.getMetadata().getNamespace())
      .thenComparing(o -> o.getMetadata().getName());

  /**
   * The canary page's data, null when there is no such canary; never fails. Its Events are listed now (a failed list,
   * e.g. no right to list Events, shows none and says why).
   */
  Future<JsonObject> detail(String namespace, String name) {
    Optional<Canary> canary = canaries.get(namespace, name);
    if (canary.isEmpty()) {
      return Future.succeededFuture(null);
    }
    JsonObject out = RolloutJson.canaryDetail(canary.get());
    out.put("history", history.entries(namespace, name));
    if (!showEvents) {
      return Future.succeededFuture(out.put("eventsShown", false).put("events", new JsonArray()));
    }
    return pool.run(() -> events(namespace, name))
        .map(events -> out.put("eventsShown", true).put("events", events))
        .otherwise(e -> {
          LOG.warn("UI: cannot list the Events of Canary {}/{}: {}", namespace, name, e.getMessage());
          return out.put("eventsShown", false).put("events", new JsonArray())
              .put("eventsError", "cannot list Events: " + e.getMessage());
        });
  }

  /** The newest {@link #MAX_EVENTS} Events of the canary, oldest first (blocking: one list request). */
  private JsonArray events(String namespace, String name) {
    List<JsonObject> mine = client.v1().events().inNamespace(namespace)
        .withField("involvedObject.kind", "Canary").withField("involvedObject.name", name).list().getItems().stream()
        .map(RolloutJson::event)
        .sorted(Comparator.comparing((JsonObject j) -> String.valueOf(j.getString("at"))))
        .toList();
    return new JsonArray(new ArrayList<>(mine.subList(Math.max(0, mine.size() - MAX_EVENTS), mine.size())));
  }

  private JsonObject canaryRowWithLatest(String key) {
    return get(canaries, key).map(c -> RolloutJson.canaryRow(c)
        .put("latest", history.latest(c.getMetadata().getNamespace(), c.getMetadata().getName()))).orElse(null);
  }

  private static <T extends HasMetadata> Optional<T> get(ResourceCache<T> cache,
      String key) {
    int slash = key.indexOf('/');
    return cache.get(key.substring(0, slash), key.substring(slash + 1));
  }

  // ---------------------------------------------------------------------------------------------
  // actions

  private void act(RoutingContext ctx) {
    String namespace = ctx.pathParam("namespace");
    String name = ctx.pathParam("name");
    Optional<Action> action = actionNamed(ctx.pathParam("action"));
    if (action.isEmpty()) {
      json(ctx, 404, error("unknown action; one of promote, abort, retry, pause, resume"));
      return;
    }
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      json(ctx, 415, error("Content-Type must be application/json"));
      return;
    }
    String origin = ctx.request().getHeader("Origin");
    HostAndPort authority = ctx.request().authority();
    if (origin != null && !sameOrigin(origin, authority == null ? null
        : authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port())) {
      json(ctx, 403, error("cross-origin request refused"));
      return;
    }
    boolean force;
    try {
      String body = ctx.body() == null ? null : ctx.body().asString();
      JsonObject json = body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
      force = json.getBoolean("force", false);
    } catch (DecodeException | ClassCastException e) {
      json(ctx, 400, error("the body must be a JSON object such as {} or {\"force\": true}"));
      return;
    }
    if (force && action.get() != Action.PROMOTE) {
      json(ctx, 400, error("force applies to promote only"));
      return;
    }
    String token = bearer(ctx.request().getHeader("Authorization"));
    if (token == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      json(ctx, 401, error("an Authorization: Bearer <token> header is required"));
      return;
    }
    if (canaries.get(namespace, name).isEmpty()) {
      json(ctx, 404, error("no such canary"));
      return;
    }
    access.mayPatchCanary(token, namespace, name).compose(verdict -> {
      if (!verdict.allowed()) {
        if (verdict.status() == 401) {
          ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        return Future.succeededFuture(new Answer(verdict.status(), error(verdict.reason())));
      }
      return pool.run(() -> ActionAnnotation.write(client, namespace, name, action.get(), force, clock.instant()))
          .map(value -> {
            LOG.info("UI: {} requested {} of Canary {}/{} ({})", verdict.user(), action.get().wire(), namespace, name,
                value);
            return new Answer(202, new JsonObject().put("request", value).put("user", verdict.user()));
          });
    }).onSuccess(a -> json(ctx, a.status(), a.body())).onFailure(e -> {
      int code = e instanceof KubernetesClientException k && k.getCode() == 404 ? 404 : 502;
      LOG.warn("UI: action {} on Canary {}/{} failed: {}", action.get().wire(), namespace, name, e.getMessage());
      json(ctx, code, error(code == 404 ? "no such canary" : "the API server refused or failed: " + e.getMessage()));
    });
  }

  private record Answer(int status, JsonObject body) {}

  static Optional<Action> actionNamed(String name) {
    for (Action a : Action.values()) {
      if (a.wire().equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** The token of {@code Authorization: Bearer <token>}, else null. */
  static String bearer(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** Whether {@code origin} ({@code scheme://host[:port]}) names {@code host} ({@code host[:port]}, the request's). */
  static boolean sameOrigin(String origin, String host) {
    if (host == null) {
      return false;
    }
    try {
      URI uri = new URI(origin);
      if (uri.getHost() == null) {
        return false;
      }
      String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      String defaultPort = "https".equals(uri.getScheme()) ? ":443" : ":80";
      return host.equalsIgnoreCase(authority) || host.equalsIgnoreCase(authority + defaultPort)
          || (host + defaultPort).equalsIgnoreCase(authority);
    } catch (Exception e) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // responses

  private static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    HttpServerResponse r = ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff");
    r.end(body.encode());
  }

  private void html(RoutingContext ctx, JsonObject initial) {
    String data = initial.encode().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(page.replace("__BUNTING_DATA__", data));
  }

  private void asset(RoutingContext ctx, String name) {
    Asset a = assets.get(name);
    ctx.response().putHeader("Content-Type", a.contentType()).putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff").end(Buffer.buffer(a.bytes()));
  }

  private static byte[] resource(String name) {
    try (InputStream in = UiRoutes.class.getResourceAsStream("/dev/bunting/ui/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing UI asset " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
