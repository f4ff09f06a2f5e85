package dev.bunting.cli;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bunting status NAME}: a canary's phase, weight, failed checks, and its last analysis tick metric by metric,
 * read from the cluster of KUBECONFIG. The rendering is {@link CanaryReport}.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
    description = "Show a Canary's phase, weight, failed checks and last analysis (status.analysis), metric by metric.")
public final class StatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The Canary's name.")
  String name;

  @Option(names = {"-n", "--namespace"}, defaultValue = "${env:BUNTING_NAMESPACE}",
      description = "Namespace of the Canary (default: the kubeconfig context's, else default). Env: BUNTING_NAMESPACE.")
  String namespace;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config config = Config.autoConfigure(null);
    String ns = namespace != null && !namespace.isBlank() ? namespace
        : config.getNamespace() != null ? config.getNamespace() : "default";
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      Canary canary = client.resources(Canary.class).inNamespace(ns).withName(name).get();
      if (canary == null) {
        err.println("Canary " + ns + "/" + name + " not found");
        return 1;
      }
      CanaryReport.lines(canary).forEach(out::println);
      out.flush();
      return 0;
    } catch (RuntimeException e) {
      err.println("cannot read Canary " + ns + "/" + name + ": " + e.getMessage());
      return 1;
    }
  }
}
