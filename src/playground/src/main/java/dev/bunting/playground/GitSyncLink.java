package dev.bunting.playground;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The GitSync that connects the demo repository to the cluster, as a user would write it: {@code url} the
 * repository's {@code file://} URL, branch {@code main}, path {@code apps/podinfo}, pruning on. After each commit the
 * playground asks for an immediate sync with the {@code reconcile.bunting.dev/requestedAt} annotation (what
 * {@code flux reconcile} does for Flux), so the demo does not wait for the polling interval. Blocking calls.
 */
public final class GitSyncLink {
  public static final String CRD = "gitsyncs.bunting.dev";
  public static final ResourceDefinitionContext GIT_SYNCS = new ResourceDefinitionContext.Builder()
      .withGroup("bunting.dev").withVersion("v1alpha1").withKind("GitSync").withPlural("gitsyncs")
      .withNamespaced(true).build();
  static final String REQUESTED_AT = "reconcile.bunting.dev/requestedAt";

  private final KubernetesClient client;
  private final String namespace;
  private final String name;

  public GitSyncLink(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  /** The GitSync manifest. */
  static String manifest(String name, String url, Duration interval) {
    return manifest(name, url, interval, false);
  }

  /**
   * The GitSync manifest; with {@code revert}, a failed canary's change is reverted in Git ({@code rollback: revert})
   * by commits of {@code Bunting Playground}.
   */
  static String manifest(String name, String url, Duration interval, boolean revert) {
    return base(name, url, interval) + (revert ? """
          rollback: revert
          commitAuthor:
            name: %s
            email: %s
        """.formatted(DemoRepository.AUTHOR_NAME, DemoRepository.AUTHOR_EMAIL) : "");
  }

  private static String base(String name, String url, Duration interval) {
    return """
        apiVersion: bunting.dev/v1alpha1
        kind: GitSync
        metadata:
          name: %s
        spec:
          url: %s
          ref:
            branch: %s
          path: %s
          interval: %ds
          timeout: 2m
          prune: true
        """.formatted(name, url, DemoRepository.BRANCH, DemoApp.PATH, interval.toSeconds());
  }

  /** Creates (server-side applies) the GitSync for {@code url}; with {@code revert}, {@code rollback: revert}. */
  public void create(String url, Duration interval, boolean revert) {
    GenericKubernetesResource gs = client.getKubernetesSerialization()
        .unmarshal(manifest(name, url, interval, revert), GenericKubernetesResource.class);
    gs.getMetadata().setNamespace(namespace);
    client.genericKubernetesResources(GIT_SYNCS).inNamespace(namespace).resource(gs)
        .fieldManager(ClusterSetup.FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /** Asks for a sync now (any new value of the annotation does). */
  public void requestSync(String token) {
    client.genericKubernetesResources(GIT_SYNCS).inNamespace(namespace).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + REQUESTED_AT + "\":\"" + token + "\"}}}");
  }

  /** {@code status.lastAttemptedRevision}, e.g. {@code main@sha1:4f1c...}. */
  public Optional<String> lastAttemptedRevision() {
    return status().map(s -> (String) s.get("lastAttemptedRevision"));
  }

  /** The message of the {@code Ready} condition, for error reports. */
  @SuppressWarnings("unchecked")
  public Optional<String> readyMessage() {
    return status().flatMap(s -> ((List<Map<String, Object>>) s.getOrDefault("conditions", List.of())).stream()
        .filter(c -> "Ready".equals(c.get("type")))
        .map(c -> c.get("status") + " " + c.get("reason") + ": " + c.get("message"))
        .findFirst());
  }

  @SuppressWarnings("unchecked")
  private Optional<Map<String, Object>> status() {
    GenericKubernetesResource gs = client.genericKubernetesResources(GIT_SYNCS).inNamespace(namespace)
        .withName(name).get();
    return gs == null ? Optional.empty()
        : Optional.ofNullable((Map<String, Object>) gs.getAdditionalProperties().get("status"));
  }

  public String name() {
    return name;
  }
}
