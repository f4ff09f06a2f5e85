package dev.bunting.bench;

import dev.bunting.chaos.FuzzRun;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Bad input at scale (docs/reliability.md): {@code cases} seeded {@link dev.bunting.chaos.SpecFuzzer} cases against
 * the local control plane with the controller running as a process of its own ({@code target/bunting.jar}), in rounds
 * of {@code round} cases; after each round the figures of {@link FuzzRun} (rejected, reported, /healthz failures,
 * objects still changing after 30 s), then the round's objects are deleted. Prints a table and JSON per round and the
 * sums; asserts nothing.
 *
 * <p>Usage: {@code bench/chaos/run fuzz [cases=10000] [round=500] [seed=20261204]}.
 */
public final class SpecFuzzBench {
  private SpecFuzzBench() {}

  public static void main(String[] args) throws Exception {
    int cases = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int round = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 20261204L;
    Path jar = Path.of(System.getProperty("bunting.projectDir", ".")).resolve("target/bunting.jar");
    String ns = "chaos-fuzz-" + Long.toHexString(System.currentTimeMillis() & 0xffffff);
    Path log = Files.createTempFile("bunting-fuzz-", ".log");
    System.out.printf("spec fuzz: %d cases in rounds of %d, seed %d, namespace %s, controller log %s%n", cases, round,
        seed, ns, log);
    long rejected = 0;
    long other = 0;
    long accepted = 0;
    long reported = 0;
    long healthFailures = 0;
    long healthChecks = 0;
    long unsettled = 0;
    try (KubernetesClient client = new KubernetesClientBuilder().build();
        ControllerProcess controller = new ControllerProcess(jar, log, List.of("--namespace", ns,
            "--metrics-server", "http://127.0.0.1:1", "--mesh-provider", "gatewayapi:v1"))) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
      controller.start();
      // probing /healthz before the controller listens would count its start as failures
      System.out.printf("controller ready in %d ms%n", controller.awaitReady(Duration.ofMinutes(3)).toMillis());
      URI healthz = URI.create("http://127.0.0.1:" + controller.port() + "/healthz");
      try {
        for (int first = 0, r = 0; first < cases; first += round, r++) {
          // one generator per round, seeded from the run's seed: any round is replayed on its own
          FuzzRun run = new FuzzRun(client, ns, seed + r, "fuzz" + r + "-", healthz);
          run.send(Math.min(round, cases - first));
          FuzzRun.Figures f = run.finish(Duration.ofSeconds(120), Duration.ofSeconds(30));
          System.out.printf("%nround %d (seed %d):%n%s%s%n", r, seed + r, f.table(), f.json());
          rejected += f.rejected422();
          other += f.rejectedOther().values().stream().mapToInt(Integer::intValue).sum();
          accepted += f.accepted();
          reported += f.reported();
          healthFailures += f.healthFailures();
          healthChecks += f.healthChecks();
          unsettled += f.unsettled().size();
          run.deleteAll();
        }
      } finally {
        client.namespaces().withName(ns).delete();
      }
    }
    System.out.printf("%n| measure (%d cases, seed %d) | figure |%n|---|---|%n", cases, seed);
    System.out.printf("| rejected by the CRD schema (422) | %d |%n| rejected otherwise | %d |%n", rejected, other);
    System.out.printf("| accepted | %d |%n| accepted and reported | %d |%n", accepted, reported);
    System.out.printf("| /healthz failures | %d of %d |%n| objects still changing after settling | %d |%n",
        healthFailures, healthChecks, unsettled);
    System.out.printf("{\"cases\":%d,\"seed\":%d,\"rejected422\":%d,\"rejectedOther\":%d,\"accepted\":%d,"
        + "\"reported\":%d,\"healthFailures\":%d,\"healthChecks\":%d,\"unsettled\":%d}%n", cases, seed, rejected,
        other, accepted, reported, healthFailures, healthChecks, unsettled);
  }
}
