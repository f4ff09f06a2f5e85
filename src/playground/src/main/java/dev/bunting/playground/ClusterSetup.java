package dev.bunting.playground;

import dev.bunting.testing.NamespaceTeardown;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the playground installs into the cluster before the demo: Bunting's CRDs (from the checkout's {@code crds/})
 * and the Gateway API standard-channel CRDs its simulated gateway implements (as the Gateway API project publishes
 * them, {@link ThirdPartyCrds}), server-side applied and waited for until established; and the playground's namespace.
 * Blocking: call it from the main thread or a worker.
 */
public final class ClusterSetup {
  static final String FIELD_MANAGER = "bunting-playground";
  /** Marks the namespace as the playground's, so a later run knows it may delete it. */
  static final String PART_OF_LABEL = "app.kubernetes.io/part-of";
  static final String PART_OF = "bunting-playground";

  private final KubernetesClient client;

  public ClusterSetup(KubernetesClient client) {
    this.client = client;
  }

  /** Applies Bunting's CRDs and Gateway API's and waits until each is established. Returns the CRD names. */
  public List<String> installCrds(ProjectLayout project) {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> crds = Files.list(project.crdDirectory())) {
      crds.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + project.crdDirectory(), e);
    }
    files.addAll(ThirdPartyCrds.files(project.root(), ThirdPartyCrds.GATEWAY_API));
    List<HasMetadata> crds = new ArrayList<>();
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        crds.addAll(client.load(in).items());
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + f, e);
      }
    }
    List<String> names = new ArrayList<>();
    for (HasMetadata crd : crds) {
      client.resource(crd).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
      names.add(crd.getMetadata().getName());
    }
    for (String name : names) {
      client.apiextensions().v1().customResourceDefinitions().withName(name)
          .waitUntilCondition(ClusterSetup::established, 60, TimeUnit.SECONDS);
    }
    return names;
  }

  static boolean established(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Creates the namespace, labelled as the playground's. */
  public void createNamespace(String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
        .addToLabels(PART_OF_LABEL, PART_OF).endMetadata().build()).create();
  }

  /** The namespace, if it exists. */
  public Optional<Namespace> namespace(String name) {
    return Optional.ofNullable(client.namespaces().withName(name).get());
  }

  /**
   * Deletes a namespace the playground made (refuses any other) and waits until the cluster has removed it and
   * everything in it.
   */
  public void deleteNamespace(String name, long timeoutSeconds) {
    Namespace ns = client.namespaces().withName(name).get();
    if (ns == null) {
      return;
    }
    String partOf = ns.getMetadata().getLabels() == null ? null : ns.getMetadata().getLabels().get(PART_OF_LABEL);
    if (!PART_OF.equals(partOf)) {
      throw new IllegalStateException("namespace " + name + " exists and is not the playground's (no label "
          + PART_OF_LABEL + "=" + PART_OF + "); choose another --namespace");
    }
    // Bunting is stopped by now: nothing would remove the GitSync's finalizer, and the namespace goes as a whole
    NamespaceTeardown.releaseFinalizers(client, name);
    client.namespaces().withName(name).delete();
    client.namespaces().withName(name).waitUntilCondition(n -> n == null, timeoutSeconds, TimeUnit.SECONDS);
  }
}
