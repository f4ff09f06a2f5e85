package dev.bunting.images;

import dev.bunting.api.GitSync;
import dev.bunting.api.ImagePolicy;
import dev.bunting.gitops.GitSyncController;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.Scheduler;
import dev.bunting.kube.ShardSelector;
import dev.bunting.kube.WorkQueue;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ImagePolicy engine: a keyed work queue (one reconcile per policy at a time), each policy scanned again every
 * {@code spec.interval}, and at once when it is created, its spec changes or its {@code reconcile.bunting.dev/requestedAt}
 * annotation gets a new value. Blocking work (Secrets, status writes, Git) runs on the GitSync engine's pool; registry
 * calls on the Vert.x web client.
 */
public final class ImagePolicyController {
  private static final Logger LOG = LoggerFactory.getLogger(ImagePolicyController.class);

  private final ResourceCache<ImagePolicy> policies;
  private final WorkQueue queue;
  private final RegistryClient registry;
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private final ShardSelector shard;
  private volatile boolean started;

  /**
   * @param gitSyncs the GitSync cache (to find {@code spec.update.gitSyncRef}); null without the GitSync engine
   * @param git the GitSync engine that writes the updates; null when it is not running
   * @param shard the ImagePolicies this instance runs ({@code --watch-label-selector}), so no two shards commit one
   *     update
   */
  public ImagePolicyController(Vertx vertx, KubernetesClient client, BlockingPool pool,
      ResourceCache<ImagePolicy> policies, ResourceCache<GitSync> gitSyncs, GitSyncController git,
      EventRecorder events, Scheduler scheduler, Clock clock, int maxConcurrent, ShardSelector shard) {
    this.policies = policies;
    this.shard = shard;
    this.registry = new RegistryClient(vertx, 0);
    ImagePolicyReconciler reconciler = new ImagePolicyReconciler(client, pool, clock, policies, gitSyncs, git, registry,
        events);
    this.queue = new WorkQueue(vertx, ImagePolicy.KIND, maxConcurrent, reconciler::reconcile, scheduler);
    policies.onChange(this::changed);
  }

  /** Queues every ImagePolicy of the shard once the caches are loaded and this instance leads. */
  public void start() {
    started = true;
    List<ImagePolicy> all = policies.list(null).stream().filter(shard::matches).toList();
    all.forEach(this::changed);
    LOG.info("image policy controller started: {} ImagePolicies", all.size());
  }

  public void stop() {
    queue.close();
    registry.close();
  }

  private void changed(ImagePolicy p) {
    if (!started) {
      return;
    }
    String key = ResourceCache.key(p);
    boolean gone = policies.get(p.getMetadata().getNamespace(), p.getMetadata().getName()).isEmpty()
        || !shard.matches(p);
    String fingerprint = gone ? null : p.getMetadata().getGeneration() + "|" + (p.getMetadata().getAnnotations() == null
        ? null : p.getMetadata().getAnnotations().get(GitSync.REQUESTED_AT));
    String before = fingerprint == null ? seen.remove(key) : seen.put(key, fingerprint);
    if (gone) {
      queue.forget(key);
    } else if (!Objects.equals(before, fingerprint)) {
      queue.enqueue(key);
    }
  }
}
