package dev.bunting.gitops;

import dev.bunting.api.GitSync;
import dev.bunting.http.RouteContributor;
import dev.bunting.http.SourceRateLimiter;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.ResourceCache;
import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /hooks/git/{namespace}/{name}}: a push webhook that makes a GitSync sync at once. The request must be
 * signed or authenticated with the token in the Secret named by {@code spec.receiver.secretRef} (see
 * {@link WebhookAuth}); anything else gets 401 and changes nothing, whether or not the GitSync exists. A valid request
 * gets 202 and the sync is queued, here or, through the GitSync's reconcile-request annotation, on the instance that
 * syncs it (a standby or another shard received it); 503 when neither was possible.
 *
 * <p>Hardening: each client address may make {@link #BURST} requests at once and {@link #PER_SECOND} a second after
 * that (429 with {@code Retry-After} beyond it, before anything else is looked at); a request without any
 * authentication header is rejected before the Secret is read, so a flood of junk costs no API requests; bodies are
 * limited and must arrive in time ({@link dev.bunting.http.HttpApi}). Rejections are logged at most once a minute per
 * address, so a flood cannot flood the log either.
 */
public final class GitSyncReceiver implements RouteContributor {
  private static final Logger LOG = LoggerFactory.getLogger(GitSyncReceiver.class);
  public static final String PATH = "/hooks/git/:namespace/:name";
  static final int BURST = 50;
  static final double PER_SECOND = 5;
  private static final long LOG_EVERY_MILLIS = 60_000;

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final ResourceCache<GitSync> gitSyncs;
  private final Function<GitSync, Future<Void>> trigger;
  private final SourceRateLimiter limiter;
  private final SourceRateLimiter logLimiter;

  /** @param trigger asks for an immediate sync of an authenticated GitSync; fails when it could not be asked */
  GitSyncReceiver(KubernetesClient client, BlockingPool pool, ResourceCache<GitSync> gitSyncs,
      Function<GitSync, Future<Void>> trigger) {
    this(client, pool, gitSyncs, trigger, Clock.systemUTC());
  }

  GitSyncReceiver(KubernetesClient client, BlockingPool pool, ResourceCache<GitSync> gitSyncs,
      Function<GitSync, Future<Void>> trigger, Clock clock) {
    this.limiter = new SourceRateLimiter(BURST, PER_SECOND, clock);
    this.logLimiter = new SourceRateLimiter(1, 1000.0 / LOG_EVERY_MILLIS, clock);
    this.client = client;
    this.pool = pool;
    this.gitSyncs = gitSyncs;
    this.trigger = trigger;
  }

  @Override
  public void mount(Router router) {
    router.post(PATH).handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    String ns = ctx.pathParam("namespace");
    String name = ctx.pathParam("name");
    String key = ns + "/" + name;
    String source = ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
    if (!limiter.tryAcquire(source)) {
      if (logLimiter.tryAcquire(source)) {
        LOG.warn("webhook requests from {} over the rate limit ({} at once, {}/s): answering 429", source, BURST,
            PER_SECOND);
      }
      ctx.response().setStatusCode(429).putHeader("Retry-After", String.valueOf(limiter.retryAfterSeconds(source)))
          .putHeader("Content-Type", "application/json").end("{\"status\":\"too many requests\"}");
      return;
    }
    if (!WebhookAuth.presented(h -> ctx.request().getHeader(h))) {
      reject(ctx, key, logLimiter.tryAcquire(source) ? "no authentication header (from " + source + ")" : null);
      return;
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    GitSync gs = gitSyncs.get(ns, name).orElse(null);
    if (gs == null || gs.getSpec() == null || gs.getSpec().receiver == null || gs.getSpec().receiver.secretRef == null
        || gs.getSpec().receiver.secretRef.name == null) {
      reject(ctx, key, !logLimiter.tryAcquire(source) ? null
          : gs == null ? "no such GitSync" : "the GitSync has no spec.receiver.secretRef");
      return;
    }
    String secretName = gs.getSpec().receiver.secretRef.name;
    pool.run(() -> token(ns, secretName)).onComplete(ar -> {
      if (ar.failed()) {
        ObjectLog.of(LOG, GitSync.KIND, ns, name).warn("webhook rejected: cannot read receiver Secret {}: {}",
            secretName, ar.cause().getMessage());
        reject(ctx, key, null);
        return;
      }
      WebhookAuth.Verdict v = WebhookAuth.verify(h -> ctx.request().getHeader(h), bytes, ar.result());
      if (!v.accepted()) {
        reject(ctx, key, logLimiter.tryAcquire(source) ? v.detail() + " (from " + source + ")" : null);
        return;
      }
      ObjectLog.of(LOG, GitSync.KIND, ns, name).info("webhook accepted ({}), requesting a sync", v.detail());
      trigger.apply(gs).onComplete(t -> {
        if (t.failed()) {
          ObjectLog.of(LOG, GitSync.KIND, ns, name).warn("webhook accepted but the sync could not be requested: {}",
              t.cause().getMessage());
          ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
              .end("{\"status\":\"unavailable\"}");
          return;
        }
        ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
            .end("{\"status\":\"accepted\",\"gitsync\":\"" + key + "\"}");
      });
    });
  }

  private byte[] token(String ns, String secretName) {
    Secret s = client.secrets().inNamespace(ns).withName(secretName).get();
    if (s == null) {
      return new byte[0];
    }
    String token = GitSource.decode(s).get("token");
    return token == null ? new byte[0] : token.trim().getBytes(StandardCharsets.UTF_8);
  }

  private static void reject(RoutingContext ctx, String key, String why) {
    if (why != null) {
      ObjectLog.of(LOG, GitSync.KIND, key).warn("webhook rejected: {}", why);
    }
    ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
        .end("{\"status\":\"unauthorized\"}");
  }
}
