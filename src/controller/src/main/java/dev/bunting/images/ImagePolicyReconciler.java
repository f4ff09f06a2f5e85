package dev.bunting.images;

import dev.bunting.api.GitSync;
import dev.bunting.api.ImagePolicy;
import dev.bunting.api.ImagePolicySpec;
import dev.bunting.gitops.GitException;
import dev.bunting.gitops.GitSyncController;
import dev.bunting.gitops.GitWriter;
import dev.bunting.gitops.ManifestRenderer;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.StatusWriter;
import dev.bunting.kube.WorkQueue.Outcome;
import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One reconcile of one ImagePolicy: read its registry credentials (Secret, on the GitSync pool), list the tags (Vert.x
 * web client, never blocking), choose the newest allowed tag, and, when it is new, write it where the markers of the
 * GitSync's files ask for it (through {@link GitSyncController#write}, which commits, pushes and syncs the GitSync);
 * then the status (written once, only if it changed), Events and log lines from the {@link ImagePolicyDecider}. A
 * failing registry or Git changes nothing but the status.
 */
final class ImagePolicyReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(ImagePolicyReconciler.class);

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final Clock clock;
  private final ResourceCache<ImagePolicy> policies;
  private final ResourceCache<GitSync> gitSyncs;
  private final GitSyncController git;
  private final RegistryClient registry;
  private final StatusWriter statusWriter;
  private final EventRecorder events;

  /** {@code git}: the GitSync engine that writes image updates; null when it is not running. */
  ImagePolicyReconciler(KubernetesClient client, BlockingPool pool, Clock clock, ResourceCache<ImagePolicy> policies,
      ResourceCache<GitSync> gitSyncs, GitSyncController git, RegistryClient registry, EventRecorder events) {
    this.client = client;
    this.pool = pool;
    this.clock = clock;
    this.policies = policies;
    this.gitSyncs = gitSyncs;
    this.git = git;
    this.registry = registry;
    this.statusWriter = new StatusWriter(client, pool);
    this.events = events;
  }

  Future<Outcome> reconcile(String key) {
    int slash = key.indexOf('/');
    Optional<ImagePolicy> found = policies.get(key.substring(0, slash), key.substring(slash + 1));
    if (found.isEmpty() || found.get().getSpec() == null || found.get().getSpec().suspended()) {
      return Future.succeededFuture(Outcome.DONE);
    }
    ImagePolicy p = found.get();
    ObjectLog log = ObjectLog.of(LOG, ImagePolicy.KIND, p.getMetadata().getNamespace(), p.getMetadata().getName());
    String problem = ImagePolicyDecider.validate(p.getSpec());
    if (problem != null) {
      return act(p, log, new ImagePolicyDecider.Invalid(problem));
    }
    ImagePolicySpec spec = p.getSpec();
    ImageReference image = ImageReference.parse(spec.image);
    TagPolicy policy = TagPolicy.of(spec.policy, spec.filterTags);
    return pool.run(() -> credentials(p, image))
        .compose(creds -> registry.tags(image, spec.insecureEnabled(), creds, spec.timeoutOrDefault()))
        .compose(tags -> {
          Optional<String> newest = policy.newest(tags).map(image::withTag);
          if (newest.isEmpty() || !ImagePolicyDecider.needsWrite(p, newest.get())) {
            return Future.succeededFuture((ImagePolicyDecider.Result) new ImagePolicyDecider.Scanned(tags.size(),
                newest, new ImagePolicyDecider.NotNeeded()));
          }
          String tag = newest.get().substring(image.image().length() + 1);
          return write(p, image, tag).map(w -> (ImagePolicyDecider.Result) new ImagePolicyDecider.Scanned(
              tags.size(), newest, w));
        })
        .recover(e -> Future.succeededFuture(e instanceof RegistryClient.RegistryException r
            ? new ImagePolicyDecider.ScanFailed(r.reason(), r.getMessage())
            : e instanceof IllegalArgumentException i ? new ImagePolicyDecider.ScanFailed(
                ImagePolicyDecider.INVALID_SECRET, i.getMessage())
            : new ImagePolicyDecider.ScanFailed("ScanFailed", String.valueOf(e.getMessage()))))
        .compose(result -> act(p, log, result));
  }

  /** The registry credentials of {@code spec.secretRef} (blocking: one GET); none without a Secret. */
  private Optional<DockerConfig.Credentials> credentials(ImagePolicy p, ImageReference image) {
    ImagePolicySpec spec = p.getSpec();
    if (spec.secretRef == null || spec.secretRef.name == null) {
      return Optional.empty();
    }
    String ns = p.getMetadata().getNamespace();
    Secret secret;
    try {
      secret = client.secrets().inNamespace(ns).withName(spec.secretRef.name).get();
    } catch (KubernetesClientException e) {
      throw new IllegalArgumentException("cannot read Secret " + spec.secretRef.name + " (spec.secretRef): HTTP "
          + e.getCode());
    }
    if (secret == null) {
      throw new IllegalArgumentException("Secret " + spec.secretRef.name + " (spec.secretRef) not found in namespace "
          + ns);
    }
    Map<String, String> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v),
          StandardCharsets.UTF_8)));
    }
    Optional<DockerConfig.Credentials> creds = DockerConfig.fromSecretData(spec.secretRef.name, data)
        .forHost(image.host(), image.dockerHub());
    if (creds.isEmpty()) {
      throw new IllegalArgumentException("Secret " + spec.secretRef.name + " has no credentials for " + image.host());
    }
    return creds;
  }

  /** Writes {@code image:tag} into the marked lines of the GitSync's files; what happened, failures included. */
  private Future<ImagePolicyDecider.Write> write(ImagePolicy p, ImageReference image, String tag) {
    String ns = p.getMetadata().getNamespace();
    String gitSyncName = p.getSpec().update.gitSyncRef.name;
    Optional<GitSync> gs = gitSyncs == null ? Optional.empty() : gitSyncs.get(ns, gitSyncName);
    if (git == null || gs.isEmpty()) {
      return Future.succeededFuture(new ImagePolicyDecider.WriteFailed(ImagePolicyDecider.GITSYNC_NOT_FOUND,
          git == null ? "the GitSync engine is not running (GitSync CRD not installed)"
              : "GitSync " + gitSyncName + " (spec.update.gitSyncRef) not found in namespace " + ns));
    }
    String path = p.getSpec().update.path != null ? p.getSpec().update.path
        : gs.get().getSpec() == null || gs.get().getSpec().path == null ? "" : gs.get().getSpec().path;
    String policyRef = ns + ":" + p.getMetadata().getName();
    AtomicInteger marked = new AtomicInteger();
    AtomicInteger lines = new AtomicInteger();
    List<String> files = new ArrayList<>();
    GitWriter.Change change = head -> {
      marked.set(0);
      lines.set(0);
      files.clear();
      Map<String, byte[]> edits = new LinkedHashMap<>();
      for (ManifestRenderer.SourceFile f : head.manifests(path)) {
        ImageMarkers.Update u = ImageMarkers.update(new String(f.content(), StandardCharsets.UTF_8), policyRef, image,
            tag);
        marked.addAndGet(u.marked());
        if (u.changed() > 0) {
          lines.addAndGet(u.changed());
          files.add(f.path());
          edits.put(f.path(), u.text().getBytes(StandardCharsets.UTF_8));
        }
      }
      return edits.isEmpty() ? Optional.empty() : Optional.of(new GitWriter.Edit(edits, message(p, image, tag,
          files)));
    };
    String where = gs.get().getSpec().url + " branch " + gs.get().getSpec().refOrDefault().branch;
    return git.write(gs.get(), change).map(r -> r.pushed()
            ? (ImagePolicyDecider.Write) new ImagePolicyDecider.Pushed(r.commit(),
                dev.bunting.gitops.GitCredentials.safeUrl(gs.get().getSpec().url) + " branch "
                    + gs.get().getSpec().refOrDefault().branch, List.copyOf(files), lines.get(), r.rebuilt())
            : marked.get() > 0 ? new ImagePolicyDecider.AlreadyThere(marked.get())
            : new ImagePolicyDecider.NoMarkers(path.isEmpty() ? "/" : path))
        .recover(e -> Future.succeededFuture(e instanceof GitException g
            ? new ImagePolicyDecider.WriteFailed(g.reason(), g.getMessage())
            : new ImagePolicyDecider.WriteFailed("GitOperationFailed", "writing to " + dev.bunting.gitops
                .GitCredentials.safeUrl(where) + ": " + e.getMessage())));
  }

  /** The commit message of an image update. */
  static String message(ImagePolicy p, ImageReference image, String tag, List<String> files) {
    return p.getMetadata().getName() + ": update image to " + tag + "\n\n"
        + "ImagePolicy " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() + " chose "
        + image.withTag(tag) + ", the newest tag its policy allows.\n"
        + "Changed: " + String.join(", ", files) + "\n";
  }

  private Future<Outcome> act(ImagePolicy p, ObjectLog log, ImagePolicyDecider.Result result) {
    ImagePolicyDecider.Plan plan = ImagePolicyDecider.decide(p, clock.instant(), result);
    for (ImagePolicyDecider.Note n : plan.logs()) {
      log.at(ImagePolicyDecider.WARN.equals(n.severity()) ? Level.WARN : Level.INFO).log(n.message());
    }
    Future<ImagePolicy> written = StatusWriter.changed(p.getStatus(), plan.status())
        ? statusWriter.write(p, plan.status()) : Future.succeededFuture(p);
    return written.map(w -> {
      plan.events().forEach(e -> events.record(p, e.severity(), e.reason(), e.message()));
      return plan.requeueAfter() == null ? Outcome.DONE : Outcome.after(plan.requeueAfter());
    });
  }
}
