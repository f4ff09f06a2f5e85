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
 * @param clientFactory builds the client used for {@code spec.serviceAccountName} (impersonation) from a config;
 *     null builds one on fabric8's default HTTP client
 */
public record GitSyncOptions(Path cacheDir, String namespace, int maxConcurrentSyncs, int applyConcurrency,
    String instance, Function<Config, KubernetesClient> clientFactory) {

  public static GitSyncOptions defaults() {
    return new GitSyncOptions(defaultCacheDir(), null, 4, 8, "bunting", null);
  }

  /** {@code $BUNTING_CACHE/git}, else {@code ~/.cache/bunting/git}. */
  public static Path defaultCacheDir() {
    String env = System.getenv("BUNTING_CACHE");
    Path base = env != null && !env.isBlank() ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "bunting");
    return base.resolve("git");
  }

  public GitSyncOptions withCacheDir(Path dir) {
    return new GitSyncOptions(dir, namespace, maxConcurrentSyncs, applyConcurrency, instance, clientFactory);
  }

  public GitSyncOptions withNamespace(String ns) {
    return new GitSyncOptions(cacheDir, ns, maxConcurrentSyncs, applyConcurrency, instance, clientFactory);
  }

  public GitSyncOptions withApplyConcurrency(int n) {
    return new GitSyncOptions(cacheDir, namespace, maxConcurrentSyncs, n, instance, clientFactory);
  }

  public GitSyncOptions withClientFactory(Function<Config, KubernetesClient> f) {
    return new GitSyncOptions(cacheDir, namespace, maxConcurrentSyncs, applyConcurrency, instance, f);
  }
}
