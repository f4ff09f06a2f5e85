package dev.bunting.canary;

import dev.bunting.kube.BlockingPool;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pod-template-hash} of a Deployment's current revision: the label of its ReplicaSet whose
 * {@code deployment.kubernetes.io/revision} equals the Deployment's. Its pods are named {@code <target>-<hash>-<x>},
 * which is how the builtin queries select the canary pods of this revision (docs/analysis.md).
 *
 * <p>One ReplicaSet list (on the blocking pool, never on an event loop) per Deployment revision: the answer is kept
 * until the Deployment's revision changes, so an idle canary costs nothing and an analysis one request per release.
 * Anything that goes wrong (no ReplicaSet yet, no permission) answers "unknown", and the queries fall back to Flagger's
 * pod pattern.
 */
public final class RevisionPods {
  private static final Logger LOG = LoggerFactory.getLogger(RevisionPods.class);
  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String HASH = "pod-template-hash";

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final CanaryCaches caches;
  /** {@code ns/name} → (Deployment uid + revision, hash). */
  private final Map<String, Map.Entry<String, String>> known = new ConcurrentHashMap<>();

  public RevisionPods(KubernetesClient client, BlockingPool pool, CanaryCaches caches) {
    this.client = client;
    this.pool = pool;
    this.caches = caches;
  }

  /** The hash of the Deployment's current revision, or empty. The future never fails. */
  public Future<Optional<String>> hashOf(String namespace, String name) {
    Deployment d = caches.deployments().get(namespace, name).orElse(null);
    String revision = d == null || d.getMetadata().getAnnotations() == null ? null
        : d.getMetadata().getAnnotations().get(REVISION);
    if (revision == null) {
      return Future.succeededFuture(Optional.empty());
    }
    String key = namespace + "/" + name;
    String version = d.getMetadata().getUid() + "@" + revision;
    Map.Entry<String, String> hit = known.get(key);
    if (hit != null && hit.getKey().equals(version)) {
      return Future.succeededFuture(Optional.of(hit.getValue()));
    }
    Map<String, String> labels = d.getSpec().getSelector() == null ? null : d.getSpec().getSelector().getMatchLabels();
    return pool.run(() -> client.apps().replicaSets().inNamespace(namespace).withLabels(labels).list().getItems())
        .map(sets -> {
          Optional<String> hash = sets.stream()
              .filter(rs -> ownedBy(rs, d) && Objects.equals(annotation(rs, REVISION), revision))
              .map(rs -> rs.getMetadata().getLabels() == null ? null : rs.getMetadata().getLabels().get(HASH))
              .filter(Objects::nonNull)
              .findFirst();
          hash.ifPresent(h -> known.put(key, Map.entry(version, h)));
          return hash;
        })
        .otherwise(e -> {
          LOG.warn("canary target {}: cannot read its ReplicaSets ({}); builtin queries select its pods by name only",
              key, e.getMessage());
          return Optional.empty();
        });
  }

  private static boolean ownedBy(ReplicaSet rs, Deployment d) {
    return rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Objects.equals(o.getUid(), d.getMetadata().getUid()));
  }

  private static String annotation(ReplicaSet rs, String name) {
    return rs.getMetadata().getAnnotations() == null ? null : rs.getMetadata().getAnnotations().get(name);
  }
}
