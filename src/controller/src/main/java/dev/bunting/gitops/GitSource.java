package dev.bunting.gitops;

import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncRef;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.PersonIdent;
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
  private final GitWriter writer;
  private final ManifestRenderer renderer;

  GitSource(KubernetesClient client, GitMirror mirror, ApiDiscovery discovery) {
    this.client = client;
    this.mirror = mirror;
    this.writer = new GitWriter(mirror);
    this.renderer = new ManifestRenderer(discovery::namespaced);
  }

  /** The first line of the revision's commit message (empty when the mirror does not have it). */
  String subject(GitSync gs, Resolved source) {
    return mirror.subject(GitSyncDecider.spec(gs).url, source.credentials(), source.revision().sha()).orElse("");
  }

  /**
   * {@code key} as rendered (owner labels, default namespace) at {@code rev}, fetched into the mirror if it is not
   * there; empty when that revision does not have it.
   */
  Optional<Manifest> objectAt(GitSync gs, GitCredentials creds, GitRevision rev, ObjectKey key)
      throws GitException {
    GitSyncSpec spec = GitSyncDecider.spec(gs);
    mirror.ensure(spec.url, GitSyncRef.commit(rev.sha()), rev, creds, spec.timeoutOrDefault());
    String ns = gs.getMetadata().getNamespace();
    String defaultNs = spec.targetNamespace == null || spec.targetNamespace.isBlank() ? ns : spec.targetNamespace;
    try {
      return renderer.render(mirror.read(spec.url, creds, rev.sha(), GitMirror.normalizePath(spec.path)), defaultNs,
          OwnerLabels.of(ns, gs.getMetadata().getName())).stream().filter(m -> m.key().sameObject(key)).findFirst();
    } catch (RenderException e) {
      throw new GitException(GitException.GIT_OPERATION_FAILED, "cannot render " + rev.shortString() + ": "
          + e.getMessage());
    }
  }

  /**
   * Pushes a commit that reverts {@code req.target()} in its file from the failed revision to the previous one, on
   * the branch as it is now (see {@link ManifestRevert}); as {@code spec.commitAuthor}.
   */
  GitWriter.Result revert(GitSync gs, Resolved source, GitSyncDecider.RevertRequest req, Instant now)
      throws GitException {
    GitSyncSpec spec = GitSyncDecider.spec(gs);
    GitCredentials creds = source.credentials();
    for (GitRevision r : List.of(req.failed(), req.previous())) {
      mirror.ensure(spec.url, GitSyncRef.commit(r.sha()), r, creds, spec.timeoutOrDefault());
    }
    byte[] failed = mirror.file(spec.url, creds, req.failed().sha(), req.file()).orElseThrow(() -> new GitException(
        GitException.CONFLICT, req.file() + " is not in " + req.failed().shortString()));
    byte[] previous = mirror.file(spec.url, creds, req.previous().sha(), req.file()).orElseThrow(() ->
        new GitException(GitException.CONFLICT, req.file() + " is not in " + req.previous().shortString()
            + " (the target moved to another file)"));
    dev.bunting.api.GitCommitAuthor who = dev.bunting.api.GitCommitAuthor.orDefault(spec.commitAuthor);
    String message = GitSyncDecider.revertMessage(gs, req);
    return writer.commit(spec.url, spec.refOrDefault().branch, creds, spec.timeoutOrDefault(),
        new PersonIdent(who.name, who.email), now, head -> {
          byte[] current = head.file(req.file()).orElseThrow(() -> new GitException(GitException.CONFLICT,
              req.file() + " is no longer on the branch"));
          return ManifestRevert.revert(req.target(), req.file(), failed, previous, current)
              .map(bytes -> new GitWriter.Edit(Map.of(req.file(), bytes), message));
        });
  }

  /**
   * Commits {@code change} on the GitSync's branch with its credentials and {@code spec.commitAuthor}, and pushes it
   * (see {@link GitWriter}). For writers other than the GitSync itself (image updates).
   */
  GitWriter.Result write(GitSync gs, Instant now, GitWriter.Change change) throws GitException {
    GitSyncSpec spec = GitSyncDecider.spec(gs);
    if (spec.refOrDefault().branch == null) {
      throw new GitException(GitException.PUSH_REJECTED, "GitSync " + gs.getMetadata().getName() + " follows "
          + spec.refOrDefault() + ", not a branch: there is nothing to push to");
    }
    dev.bunting.api.GitCommitAuthor who = dev.bunting.api.GitCommitAuthor.orDefault(spec.commitAuthor);
    return writer.commit(spec.url, spec.refOrDefault().branch, credentials(gs.getMetadata().getNamespace(), spec),
        spec.timeoutOrDefault(), new PersonIdent(who.name, who.email), now, change);
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
