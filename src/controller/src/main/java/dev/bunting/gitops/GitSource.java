package dev.bunting.gitops;

import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Git half of a sync: where the ref points ({@code ls-remote}), and the revision's manifests (fetched into the
 * shared mirror only when it does not have the commit, rendered once per revision, path and target namespace). The
 * credentials come from {@code spec.secretRef}, read when needed (one GET, never cached nor logged). Blocking: call it
 * on the GitSync worker pool.
 */
final class GitSource {
  private static final Logger LOG = LoggerFactory.getLogger(GitSource.class);

  /** A resolved revision and the credentials it was resolved with. */
  record Resolved(GitRevision revision, GitCredentials credentials) {}

  private final KubernetesClient client;
  private final GitMirror mirror;
  private final ManifestRenderer renderer;

  GitSource(KubernetesClient client, GitMirror mirror, ApiDiscovery discovery) {
    this.client = client;
    this.mirror = mirror;
    this.renderer = new ManifestRenderer(discovery::namespaced);
  }

  Resolved resolve(GitSync gs) throws GitException {
    GitSyncSpec spec = GitSyncDecider.spec(gs);
    GitCredentials creds = credentials(gs.getMetadata().getNamespace(), spec);
    return new Resolved(mirror.resolve(spec.url, spec.refOrDefault(), creds, spec.timeoutOrDefault()), creds);
  }

  /** The revision's manifests, labelled with the GitSync's owner labels; from {@code state} when already rendered. */
  List<Manifest> manifests(GitSync gs, Resolved source, GitSyncState state, ObjectLog log)
      throws GitException, SyncFailure {
    GitSyncSpec spec = GitSyncDecider.spec(gs);
    GitRevision rev = source.revision();
    if (mirror.ensure(spec.url, spec.refOrDefault(), rev, source.credentials(), spec.timeoutOrDefault())) {
      log.to(LOG).info("fetched {}", rev);
    }
    String ns = gs.getMetadata().getNamespace();
    String path = GitMirror.normalizePath(spec.path);
    String defaultNs = spec.targetNamespace == null || spec.targetNamespace.isBlank() ? ns : spec.targetNamespace;
    GitSyncState.Rendered cached = state.rendered;
    if (cached != null && cached.sha().equals(rev.sha()) && cached.path().equals(path)
        && cached.defaultNamespace().equals(defaultNs)) {
      return cached.manifests();
    }
    try {
      List<Manifest> manifests = renderer.render(mirror.read(spec.url, source.credentials(), rev.sha(), path),
          defaultNs, OwnerLabels.of(ns, gs.getMetadata().getName()));
      state.rendered = new GitSyncState.Rendered(rev.sha(), path, defaultNs, manifests);
      return manifests;
    } catch (RenderException e) {
      throw new SyncFailure(SyncFailure.BUILD_FAILED, e.getMessage(), true, null);
    }
  }

  private GitCredentials credentials(String ns, GitSyncSpec spec) throws GitException {
    if (spec.secretRef == null || spec.secretRef.name == null) {
      return GitCredentials.NONE;
    }
    Secret secret;
    try {
      secret = client.secrets().inNamespace(ns).withName(spec.secretRef.name).get();
    } catch (KubernetesClientException e) {
      throw new GitException(GitException.INVALID_CREDENTIALS, "cannot read Secret " + spec.secretRef.name + ": "
          + ApplyPipeline.serverMessage(e));
    }
    if (secret == null) {
      throw new GitException(GitException.INVALID_CREDENTIALS, "Secret " + spec.secretRef.name + " (spec.secretRef)"
          + " not found in namespace " + ns);
    }
    return GitCredentials.fromSecret(spec.secretRef.name, decode(secret));
  }

  static Map<String, String> decode(Secret secret) {
    Map<String, String> data = new HashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      data.putAll(secret.getStringData());
    }
    return data;
  }
}
