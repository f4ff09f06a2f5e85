package dev.bunting.cli;

import dev.bunting.api.Canary;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bunting status [NAME]}: the Canaries of a namespace (or all, {@code -A}) as a table, or one Canary's
 * details. Reads the cluster with the user's kubeconfig; no controller needed.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
    description = "Show Canaries: phase, weight, failed checks, the last decision and why, the revision. "
        + "With NAME, that Canary's details: conditions and the last action.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:shown", "1:the Canary or the namespace's Canaries could not be read"})
public final class StatusCommand implements Callable<Integer> {
  @Mixin
  KubeconfigOptions cluster = new KubeconfigOptions();

  @Option(names = {"-A", "--all-namespaces"}, description = "Canaries of every namespace.")
  boolean allNamespaces;

  @Parameters(arity = "0..1", paramLabel = "NAME", description = "A Canary: show its details.")
  String name;

  @Spec
  CommandSpec spec;

  private final CanaryStatusView view = new CanaryStatusView();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return cluster.withClient(err, (client, namespace) -> {
      if (name != null) {
        Canary canary = client.resources(Canary.class).inNamespace(namespace).withName(name).get();
        if (canary == null) {
          err.println("Canary " + namespace + "/" + name + " not found");
          return 1;
        }
        out.print(view.details(canary));
        out.flush();
        return 0;
      }
      List<Canary> canaries = allNamespaces ? client.resources(Canary.class).inAnyNamespace().list().getItems()
          : client.resources(Canary.class).inNamespace(namespace).list().getItems();
      if (canaries.isEmpty()) {
        err.println(allNamespaces ? "No Canaries found." : "No Canaries found in namespace " + namespace + ".");
        return 0;
      }
      out.print(view.table(canaries));
      out.flush();
      return 0;
    });
  }
}
