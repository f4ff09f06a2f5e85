package dev.bunting.bench;

import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncReceiver;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.api.SecretReference;
import dev.bunting.gitops.GitSyncFixture;
import dev.bunting.gitops.TestRepo;
import dev.bunting.gitops.WebhookAuth;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * GitSync on the local control plane, printed (no assertions):
 *
 * <ol>
 *   <li>commit-to-applied latency through the webhook receiver, p50/p90 over N commits;
 *   <li>a repository of 1,000 manifests: GitSync's first sync in a JVM that just started, then
 *       {@code kubectl apply --server-side -R -f} of the same directory, then GitSync's first sync of it into another
 *       namespace with the JVM warmed up (a controller that has been running), in the same run;
 *   <li>a no-change sync of that repository (same revision): time and API writes.
 * </ol>
 *
 * Run with {@code bench/gitops/run} (needs {@code scripts/local-cluster up}). Arguments:
 * {@code [commits] [manifests] [warm-up rounds]}.
 */
public final class GitSyncBench {
  public static void main(String[] args) throws Exception {
    int commits = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int manifests = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    Path tmp = Files.createTempDirectory("gitsync-bench");
    try (GitSyncFixture fx = GitSyncFixture.standalone(tmp.resolve("git-cache"))) {
      System.out.printf("GitSync benchmark on %s (namespace %s)%n", GitSyncFixture.kubeconfig(), fx.namespace);
      latency(fx, tmp, commits);
      bulk(fx, tmp, manifests, rounds);
    }
    System.exit(0);
  }

  private static void latency(GitSyncFixture fx, Path tmp, int commits) throws Exception {
    WebClient web = WebClient.create(fx.vertx);
    try (TestRepo repo = TestRepo.create(tmp.resolve("latency"))) {
      repo.write("cm.yaml", cm("latency", "0"));
      repo.commit("0");
      fx.client.secrets().inNamespace(fx.namespace).resource(new SecretBuilder().withNewMetadata()
          .withName("bench-hook").endMetadata().withStringData(Map.of("token", "bench-token")).build()).create();
      GitSyncSpec spec = GitSyncFixture.spec(repo.url(), "");
      spec.receiver = new GitSyncReceiver();
      spec.receiver.secretRef = new SecretReference("bench-hook");
      fx.create("latency", spec);
      waitFor(120, () -> ready(fx, "latency"));
      byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
      String sig = WebhookAuth.githubSignature("bench-token".getBytes(StandardCharsets.UTF_8), body);
      List<Double> ms = new ArrayList<>();
      for (int i = 1; i <= commits; i++) {
        String value = String.valueOf(i);
        repo.write("cm.yaml", cm("latency", value));
        repo.commit(value);
        long t0 = System.nanoTime();
        int code = web.post(fx.port(), "127.0.0.1", "/hooks/git/" + fx.namespace + "/latency")
            .putHeader("X-Hub-Signature-256", sig).sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS)
            .statusCode();
        if (code != 202) {
          throw new IllegalStateException("webhook answered " + code);
        }
        waitFor(30, () -> {
          ConfigMap c = fx.client.configMaps().inNamespace(fx.namespace).withName("latency").get();
          return c != null && value.equals(c.getData().get("value"));
        }, 5);
        ms.add((System.nanoTime() - t0) / 1e6);
      }
      Collections.sort(ms);
      System.out.printf("%ncommit-to-applied through the receiver (webhook POST until the ConfigMap shows the commit),"
          + " %d commits:%n  p50 %.0f ms   p90 %.0f ms   min %.0f ms   max %.0f ms%n", commits, pct(ms, 50),
          pct(ms, 90), ms.get(0), ms.get(ms.size() - 1));
    } finally {
      web.close();
    }
  }

  private static void bulk(GitSyncFixture fx, Path tmp, int manifests, int rounds) throws Exception {
    String nsCold = fx.namespace + "-cold";
    String nsKubectl = fx.namespace + "-kubectl";
    List<String> namespaces = new ArrayList<>(List.of(nsCold, nsKubectl));
    for (int r = 1; r <= rounds; r++) {
      namespaces.add(fx.namespace + "-warm" + r);
    }
    for (String ns : namespaces) {
      fx.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    try (TestRepo repo = TestRepo.create(tmp.resolve("bulk"))) {
      for (int i = 0; i < manifests; i++) {
        String name = String.format("obj-%04d", i);
        String dir = "apps/team-" + (i % 10) + "/";
        repo.write(dir + name + ".yaml", i % 5 == 4 ? secret(name) : cm(name, "value-" + i));
      }
      repo.commit("bulk");
      Path kubectl = Path.of(run("scripts/local-cluster", "bin-dir").trim(), "kubectl");
      System.out.printf("%n%d manifests (%d ConfigMaps, %d Secrets in 10 directories), each into its own namespace:%n",
          manifests, manifests - manifests / 5, manifests / 5);

      // 1. GitSync, first sync in this JVM: the code paths are still being JIT-compiled (a controller that just started)
      firstSync(fx, repo, "bulk-cold", nsCold, "GitSync first sync, cold JVM (just started)");

      // 2. kubectl: the same directory, server-side
      long k0 = System.nanoTime();
      String out = run(kubectl.toString(), "--kubeconfig", GitSyncFixture.kubeconfig().toString(), "apply",
          "--server-side", "--field-manager=bench-kubectl", "-n", nsKubectl, "-R", "-f",
          repo.dir().resolve("apps").toString());
      double kubectlSeconds = (System.nanoTime() - k0) / 1e9;
      long applied = out.lines().filter(l -> l.contains("serverside-applied")).count();
      System.out.printf("  kubectl apply --server-side -R -f: %.2f s (%d objects applied)%n", kubectlSeconds, applied);

      // 3. GitSync again, same repository into new namespaces: a controller that has been running for a while. The
      // JIT keeps compiling through the first rounds (on 2 cores its C2 thread competes with the API server).
      for (int r = 1; r <= rounds; r++) {
        firstSync(fx, repo, r == rounds ? "bulk" : "bulk-warm" + r, fx.namespace + "-warm" + r,
            "GitSync first sync, JVM warm-up round " + r);
      }

      // no-change syncs: same revision, nothing drifted
      Map<String, Double> writes0 = requestsByVerb(fx, Map.of());
      List<Double> idle = new ArrayList<>();
      long w0 = fx.counter.writes();
      for (int i = 0; i < 5; i++) {
        long n = fx.syncCount("bulk");
        double s0 = syncSeconds(fx, "bulk");
        fx.controller.requestSync(fx.namespace + "/bulk");
        waitFor(60, () -> fx.syncCount("bulk") > n, 2);
        idle.add((syncSeconds(fx, "bulk") - s0) * 1000);
      }
      long idleWrites = fx.counter.writes() - w0;
      Collections.sort(idle);
      System.out.printf("  no-change sync (same revision), 5 runs: median %.0f ms, min %.0f ms, max %.0f ms;"
          + " %d API writes in all%s%n", pct(idle, 50), idle.get(0), idle.get(idle.size() - 1), idleWrites,
          idleWrites == 0 ? "" : " " + requestsByVerb(fx, writes0));
    } finally {
      for (String ns : namespaces) {
        fx.client.namespaces().withName(ns).delete();
      }
    }
  }

  /** Creates GitSync {@code name} for the repository's {@code apps} into {@code targetNamespace}; prints its time. */
  private static void firstSync(GitSyncFixture fx, TestRepo repo, String name, String targetNamespace, String label)
      throws Exception {
    GitSyncSpec spec = GitSyncFixture.spec(repo.url(), "apps");
    spec.targetNamespace = targetNamespace;
    long before = fx.syncCount(name);
    double sumBefore = syncSeconds(fx, name);
    long writes0 = fx.counter.writes();
    long t0 = System.nanoTime();
    fx.create(name, spec);
    waitFor(600, () -> ready(fx, name), 20);
    double wall = (System.nanoTime() - t0) / 1e9;
    System.out.printf("  %s: %.2f s (sync itself, %d syncs), %.2f s from create to Ready=True; %d API writes%n",
        label, syncSeconds(fx, name) - sumBefore, fx.syncCount(name) - before, wall, fx.counter.writes() - writes0);
  }

  /** The controller's API requests by "verb resource" (from its request counter), minus {@code since}. */
  private static Map<String, Double> requestsByVerb(GitSyncFixture fx, Map<String, Double> since) {
    Map<String, Double> out = new java.util.TreeMap<>();
    for (MetricSnapshot s : fx.registry.scrape()) {
      if (s instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot c
          && c.getMetadata().getName().equals("bunting_kube_api_requests")) {
        for (var p : c.getDataPoints()) {
          String key = p.getLabels().get("verb") + " " + p.getLabels().get("resource");
          double v = p.getValue() - since.getOrDefault(key, 0.0);
          if (v > 0 && !key.startsWith("get ") && !key.startsWith("list ") && !key.startsWith("watch ")) {
            out.put(key, v);
          }
        }
      }
    }
    return out;
  }

  private static boolean ready(GitSyncFixture fx, String name) {
    GitSync gs = fx.get(name).orElse(null);
    return gs != null && gs.getStatus() != null && gs.getStatus().lastAppliedRevision != null
        && Condition.find(gs.getStatus().conditions, Condition.READY).map(Condition::isTrue).orElse(false);
  }

  private static double syncSeconds(GitSyncFixture fx, String name) {
    double sum = 0;
    for (MetricSnapshot s : fx.registry.scrape()) {
      if (s instanceof HistogramSnapshot h && h.getMetadata().getName().equals("bunting_gitsync_sync_duration_seconds")) {
        for (HistogramSnapshot.HistogramDataPointSnapshot p : h.getDataPoints()) {
          if (name.equals(p.getLabels().get("name")) && fx.namespace.equals(p.getLabels().get("namespace"))) {
            sum += p.getSum();
          }
        }
      }
    }
    return sum;
  }

  private static double pct(List<Double> sorted, int p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }

  private static void waitFor(int seconds, BooleanSupplier cond) throws InterruptedException {
    waitFor(seconds, cond, 50);
  }

  private static void waitFor(int seconds, BooleanSupplier cond, long pollMs) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + seconds + " s");
      }
      Thread.sleep(pollMs);
    }
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(GitSyncFixture.projectDir().toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  private static String cm(String name, String value) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  labels: {bench: gitsync}\n"
        + "data:\n  value: \"" + value + "\"\n  config.yaml: |\n    replicas: 3\n    feature: on\n";
  }

  private static String secret(String name) {
    return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\ntype: Opaque\n"
        + "stringData:\n  password: not-a-real-secret\n";
  }
}
