package dev.bunting.loadtester;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * flagger-loadtester's manual-gating endpoints. Canary webhooks call them with the usual payload
 * ({@code {"name","namespace",...}}); people (or scripts) open and close the gates:
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>{@code /gate/approve}</td><td>always {@code 200 OK}</td></tr>
 *   <tr><td>{@code /gate/halt}</td><td>always {@code 403 Forbidden}</td></tr>
 *   <tr><td>{@code /gate/check}</td><td>{@code 200 Approved} if gate {@code <name>.<namespace>} is open, else
 *       {@code 403 Forbidden}</td></tr>
 *   <tr><td>{@code /gate/open}, {@code /gate/close}</td><td>set that gate; {@code 202}</td></tr>
 *   <tr><td>{@code /rollback/check|open|close}</td><td>the same for gate {@code rollback.<name>.<namespace>}</td></tr>
 * </table>
 * Like the Go server, any HTTP method is accepted, and a namespace that {@code --namespace-regexp} does not match gets
 * {@code 403 Forbidden}. A body that is not a JSON object with a {@code name} and a {@code namespace} that are
 * Kubernetes names gets {@code 400}.
 */
public final class GateRoutes {
  /** Key prefix of rollback gates. */
  public static final String ROLLBACK_PREFIX = "rollback.";
  private static final long BODY_LIMIT = 64 * 1024;
  private static final Pattern KUBERNETES_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  private static final Logger LOG = LoggerFactory.getLogger(GateRoutes.class);

  private final GateStore gates;
  private final NamespaceAuthorizer authorizer;

  public GateRoutes(GateStore gates, NamespaceAuthorizer authorizer) {
    this.gates = gates;
    this.authorizer = authorizer;
  }

  /** Gates for every namespace. */
  public GateRoutes(GateStore gates) {
    this(gates, NamespaceAuthorizer.ANY);
  }

  /** Adds the gate routes to {@code router} and returns it. */
  public Router mount(Router router) {
    router.route("/gate/approve").handler(ctx -> ctx.response().setStatusCode(200).end("OK"));
    router.route("/gate/halt").handler(ctx -> ctx.response().setStatusCode(403).end("Forbidden"));
    gate(router, "/gate", "");
    gate(router, "/rollback", ROLLBACK_PREFIX);
    return router;
  }

  private void gate(Router router, String base, String prefix) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
    router.route(base + "/check").handler(body).handler(ctx -> withKey(ctx, prefix, key ->
        gates.isOpen(key).map(open -> {
          LOG.info("{} check: approved {}", key, open);
          return open ? new Answer(200, "Approved") : new Answer(403, "Forbidden");
        })));
    router.route(base + "/open").handler(body).handler(ctx -> withKey(ctx, prefix, key ->
        gates.open(key).map(v -> {
          LOG.info("{} opened", key);
          return new Answer(202, "");
        })));
    router.route(base + "/close").handler(body).handler(ctx -> withKey(ctx, prefix, key ->
        gates.close(key).map(v -> {
          LOG.info("{} closed", key);
          return new Answer(202, "");
        })));
  }

  private void withKey(RoutingContext ctx, String prefix, Function<String, Future<Answer>> action) {
    TaskPayload payload;
    try {
      payload = TaskPayload.decode(ctx.body().buffer());
    } catch (IllegalArgumentException e) {
      payload = null;
    }
    if (payload == null || !KUBERNETES_NAME.matcher(payload.name()).matches()
        || !KUBERNETES_NAME.matcher(payload.namespace()).matches()) {
      ctx.response().setStatusCode(400).end("expected a JSON payload with name and namespace");
      return;
    }
    if (!authorizer.authorizes(payload.namespace())) {
      ctx.response().setStatusCode(403).end("Forbidden");
      return;
    }
    String canary = payload.canary();
    action.apply(prefix + canary).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(ar.result().status()).end(ar.result().body());
      } else {
        LOG.error("gate store failed for {}: {}", canary, ar.cause().toString());
        ctx.response().setStatusCode(500).end("gate store unavailable");
      }
    });
  }

  private record Answer(int status, String body) {}
}
