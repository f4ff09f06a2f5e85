package dev.bunting.bench;

import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.Informers;
import dev.bunting.kube.ResourceCache;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the canary engine's Secret and ConfigMap caches cost in memory, the old way (one cluster-wide watch of each)
 * and the new way (a watch of each only in the namespaces canaries read them from), on the local control plane with
 * a namespace full of them that no canary uses. Prints figures; asserts nothing. Run with {@code bench/memory/run}:
 *
 * <pre>{@code
 * ConfigCacheMemoryBench setup <namespace> <count> <kib>   # creates count ConfigMaps and count Secrets of kib KiB
 * ConfigCacheMemoryBench measure cluster-wide|on-demand <canary-namespace>
 * ConfigCacheMemoryBench cleanup <namespace>
 * }</pre>
 *
 * Each {@code measure} runs in a JVM of its own: RSS after the caches are loaded and a full GC, and the heap in use.
 */
public final class ConfigCacheMemoryBench {
  public static void main(String[] args) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(Path.of(System.getenv("KUBECONFIG"))));
    Vertx vertx = Vertx.vertx();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new Vertx5HttpClientFactory(vertx)).build();
    try {
      switch (args[0]) {
        case "setup" -> setup(client, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        case "cleanup" -> client.namespaces().withName(args[1]).delete();
        case "measure" -> measure(vertx, client, args[1], args[2]);
        default -> throw new IllegalArgumentException(args[0]);
      }
    } finally {
      client.close();
      vertx.close();
    }
    System.exit(0);
  }

  private static void setup(KubernetesClient client, String ns, int count, int kib) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .serverSideApply();
    String payload = "x".repeat(kib * 1024);
    for (int i = 0; i < count; i++) {
      client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i)
          .endMetadata().withData(Map.of("payload", payload)).build()).fieldManager("bench").serverSideApply();
      client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("secret-" + i)
          .endMetadata().withStringData(Map.of("payload", payload)).build()).fieldManager("bench").serverSideApply();
    }
    System.out.printf("created %d ConfigMaps and %d Secrets of %d KiB in %s%n", count, count, kib, ns);
  }

  private static void measure(Vertx vertx, KubernetesClient client, String mode, String canaryNs) throws Exception {
    long rssBefore = settledRss();
    BlockingPool pool = new BlockingPool(vertx, "bench-kube", 4);
    Informers informers = new Informers(client, pool, null, Duration.ofMinutes(10));
    List<ResourceCache<?>> caches;
    if (mode.equals("cluster-wide")) {
      caches = List.of(informers.watch(Secret.class, Map.of()), informers.watch(ConfigMap.class, Map.of()));
      informers.start().await(120, TimeUnit.SECONDS);
    } else {
      caches = List.of(informers.watchOnDemand(Secret.class), informers.watchOnDemand(ConfigMap.class));
      informers.start().await(120, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!caches.stream().allMatch(c -> c.watchNamespaces(Set.of(canaryNs)))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("caches of " + canaryNs + " did not load");
        }
        Thread.sleep(50);
      }
    }
    int objects = caches.stream().mapToInt(c -> c.list(null).size()).sum();
    long rss = settledRss();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf("%-12s %6d objects cached; RSS %4d MiB (%+d MiB over the JVM with a client); heap in use %4d MiB%n",
        mode, objects, rss >> 20, (rss - rssBefore) >> 20, heap >> 20);
    informers.stop();
    pool.close();
  }

  /** RSS in bytes after a full GC and a moment to settle. */
  private static long settledRss() throws Exception {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(300);
    }
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
