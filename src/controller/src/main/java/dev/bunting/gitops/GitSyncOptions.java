package dev.bunting.gitops;

import dev.bunting.kube.ShardSelector;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Settings of the GitSync engine.
 *
 * @param cacheDir where the Git mirrors live ({@code --git-cache-dir}); default {@link #defaultCacheDir()}
 * @param maxConcurrentSyncs GitSyncs synced at the same time ({@code --max-concurrent-reconciles})
 * @param applyConcurrency requests one sync keeps in flight (dry runs, applies)
 * @param intervalJitterPercent each GitSync's next periodic sync comes after {@code spec.interval} plus or minus up to
 *     this percentage of it, drawn anew each time, so GitSyncs created together do not all hit Git and the API server
 *     at the same moment ({@code --interval-jitter-percentage}, as in Flux; 0 disables)
 * @param clientFactory builds the client used for {@code spec.serviceAccountName} (impersonation) from a config, on the
 *     controller's Vert.x and request counter (required)
 * @param shard the GitSyncs this controller syncs ({@code --watch-label-selector}); the others are left to the shard
 *     they belong to
 */
public record GitSyncOptions(Path cacheDir, int maxConcurrentSyncs, int applyConcurrency, int intervalJitterPercent,
    Function<Config, KubernetesClient> clientFactory, ShardSelector shard) {

  public GitSyncOptions {
    if (intervalJitterPercent < 0 || intervalJitterPercent >= 100) {
      throw new IllegalArgumentException("the interval jitter percentage must be from 0 to 99, got "
          + intervalJitterPercent);
    }
    if (maxConcurrentSyncs < 1 || applyConcurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1");
    }
    shard = shard == null ? ShardSelector.ALL : shard;
  }

  public static GitSyncOptions defaults() {
    return new GitSyncOptions(defaultCacheDir(), 4, 8, 5, null, ShardSelector.ALL);
  }

  /** {@code $BUNTING_CACHE/git}, else {@code ~/.cache/bunting/git}. */
  public static Path defaultCacheDir() {
    String env = System.getenv("BUNTING_CACHE");
    Path base = env != null && !env.isBlank() ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "bunting");
    return base.resolve("git");
  }

  /**
   * Threads of the GitSync engine's worker pool: enough for every sync at once to keep its apply requests in flight,
   * at most 32 (a request that finds no thread waits in the GitSync pool only, never in another engine's).
   */
  public int poolSize() {
    return Math.max(2, Math.min(32, maxConcurrentSyncs * applyConcurrency));
  }

  public GitSyncOptions withCacheDir(Path dir) {
    return new GitSyncOptions(dir, maxConcurrentSyncs, applyConcurrency, intervalJitterPercent, clientFactory, shard);
  }

  public GitSyncOptions withMaxConcurrentSyncs(int n) {
    return new GitSyncOptions(cacheDir, n, applyConcurrency, intervalJitterPercent, clientFactory, shard);
  }

  public GitSyncOptions withApplyConcurrency(int n) {
    return new GitSyncOptions(cacheDir, maxConcurrentSyncs, n, intervalJitterPercent, clientFactory, shard);
  }

  public GitSyncOptions withClientFactory(Function<Config, KubernetesClient> f) {
    return new GitSyncOptions(cacheDir, maxConcurrentSyncs, applyConcurrency, intervalJitterPercent, f, shard);
  }

  public GitSyncOptions withShard(ShardSelector selector) {
    return new GitSyncOptions(cacheDir, maxConcurrentSyncs, applyConcurrency, intervalJitterPercent, clientFactory,
        selector);
  }

  public GitSyncOptions withIntervalJitterPercent(int percent) {
    return new GitSyncOptions(cacheDir, maxConcurrentSyncs, applyConcurrency, percent, clientFactory, shard);
  }
}
