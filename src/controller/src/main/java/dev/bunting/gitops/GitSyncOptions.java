package dev.bunting.gitops;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Settings of the GitSync controller.
 *
 * @param cacheDir where the Git mirrors live ({@code --git-cache-dir}); default {@link #defaultCacheDir()}
 * @param namespace watch GitSyncs of this namespace only; null for all
 * @param maxConcurrentSyncs GitSyncs synced at the same time
 * @param applyConcurrency requests one sync keeps in flight (dry runs, applies)
 * @param instance this controller's name in Events ({@code reportingInstance})
 * @param intervalJitterPercent each GitSync's next periodic sync comes after {@code spec.interval} plus or minus up to
 *     this percentage of it, drawn anew each time, so GitSyncs created together do not all hit Git and the API server
 *     at the same moment ({@code --interval-jitter-percentage}, as in Flux; 0 disables)
 * @param clientFactory builds the client used for {@code spec.serviceAccountName} (impersonation) from a config;
 *     null builds one on fabric8's default HTTP client
 */
public record GitSyncOptions(Path cacheDir, String namespace, int maxConcurrentSyncs, int applyConcurrency,
    String instance, int intervalJitterPercent, Function<Config, KubernetesClient> clientFactory) {

  public GitSyncOptions {
    if (intervalJitterPercent < 0 || intervalJitterPercent >= 100) {
      throw new IllegalArgumentException("the interval jitter percentage must be from 0 to 99, got "
          + intervalJitterPercent);
    }
  }

  public static GitSyncOptions defaults() {
    return new GitSyncOptions(defaultCacheDir(), null, 4, 8, "bunting", 5, null);
  }

  /** {@code $BUNTING_CACHE/git}, else {@code ~/.cache/bunting/git}. */
  public static Path defaultCacheDir() {
    String env = System.getenv("BUNTING_CACHE");
    Path base = env != null && !env.isBlank() ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "bunting");
    return base.resolve("git");
  }

  public GitSyncOptions withCacheDir(Path dir) {
    return new GitSyncOptions(dir, namespace, maxConcurrentSyncs, applyConcurrency, instance, intervalJitterPercent,
        clientFactory);
  }

  public GitSyncOptions withNamespace(String ns) {
    return new GitSyncOptions(cacheDir, ns, maxConcurrentSyncs, applyConcurrency, instance, intervalJitterPercent,
        clientFactory);
  }

  public GitSyncOptions withApplyConcurrency(int n) {
    return new GitSyncOptions(cacheDir, namespace, maxConcurrentSyncs, n, instance, intervalJitterPercent,
        clientFactory);
  }

  public GitSyncOptions withClientFactory(Function<Config, KubernetesClient> f) {
    return new GitSyncOptions(cacheDir, namespace, maxConcurrentSyncs, applyConcurrency, instance,
        intervalJitterPercent, f);
  }

  public GitSyncOptions withIntervalJitterPercent(int percent) {
    return new GitSyncOptions(cacheDir, namespace, maxConcurrentSyncs, applyConcurrency, instance, percent,
        clientFactory);
  }
}
