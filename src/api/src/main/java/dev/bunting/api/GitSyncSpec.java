package dev.bunting.api;

import java.time.Duration;

/** {@code GitSync.spec}. Defaults are applied by the CRD schema and repeated in the helpers below. */
public class GitSyncSpec extends ApiObject {
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  /** {@code https://}, {@code http://}, {@code ssh://user@host[:port]/path} or {@code file://}. */
  public String url;
  /** Exactly one of branch, tag, semver, commit; defaults to branch {@code main}. */
  public GitSyncRef ref;
  /** Directory in the repository whose YAML is applied (recursively); empty or {@code ./} is the root. */
  public String path;
  /** How often the remote is checked and drift is corrected (Go duration). */
  public String interval;
  /** Upper bound for one Git operation and for the health wait after an apply (Go duration). */
  public String timeout;
  /** Delete objects that left the repository (only those in the inventory that carry the owner labels). */
  public Boolean prune;
  /** With prune: an empty render deletes everything in the inventory instead of being refused. */
  public Boolean allowEmpty;
  /**
   * What deleting the GitSync does to its objects: {@code MirrorPrune} (default: delete them when {@code prune} is
   * true), {@code Delete} (always delete), {@code WaitForTermination} (delete and wait until they are gone, up to
   * {@code timeout}), {@code Orphan} (leave them).
   */
  public String deletionPolicy;
  /** Namespace for namespaced objects that do not set one (default: the GitSync's own namespace). */
  public String targetNamespace;
  /** Git credentials: {@code username}+{@code password} or {@code bearerToken} (https), {@code identity}+{@code known_hosts} (ssh), optional {@code ca.crt}. */
  public SecretReference secretRef;
  /** Apply, prune and read health as this ServiceAccount of the GitSync's namespace (impersonation). */
  public String serviceAccountName;
  /** Stop syncing; nothing is applied or pruned while true. */
  public Boolean suspend;
  /** Recreate objects whose change is refused because a field is immutable. */
  public Boolean force;
  /**
   * GitSyncs that must be ready before this one syncs (as Flux's {@code dependsOn}): {@code Ready=True} for their
   * current generation and, when they follow the same repository and ref, at the revision this one is about to apply.
   */
  public java.util.List<NamedReference> dependsOn;
  /** The push-webhook receiver ({@code POST /hooks/git/{namespace}/{name}}). */
  public GitSyncReceiver receiver;
  /**
   * What Git gets when a Canary whose target this GitSync applies fails: {@code revert} (push a commit that reverts the
   * target to its last good content), {@code hold} (keep applying the last good content of that object until a newer
   * commit changes it); absent: nothing.
   */
  public String rollback;
  /** The identity of the commits Bunting pushes to this repository (reverts, image updates). */
  public GitCommitAuthor commitAuthor;

  public Duration intervalOrDefault() {
    return GoDuration.parse(interval).filter(d -> !d.isZero()).orElse(DEFAULT_INTERVAL);
  }

  public Duration timeoutOrDefault() {
    return GoDuration.parse(timeout).filter(d -> !d.isZero()).orElse(DEFAULT_TIMEOUT);
  }

  public boolean pruneEnabled() {
    return Boolean.TRUE.equals(prune);
  }

  public boolean allowEmptyEnabled() {
    return Boolean.TRUE.equals(allowEmpty);
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public boolean forceEnabled() {
    return Boolean.TRUE.equals(force);
  }

  public static final String MIRROR_PRUNE = "MirrorPrune";
  public static final String DELETE = "Delete";
  public static final String WAIT_FOR_TERMINATION = "WaitForTermination";
  public static final String ORPHAN = "Orphan";

  public String deletionPolicyOrDefault() {
    return deletionPolicy == null || deletionPolicy.isBlank() ? MIRROR_PRUNE : deletionPolicy;
  }

  /** True when deleting the GitSync deletes its objects (suspended GitSyncs never delete anything). */
  public boolean deletesObjectsOnDeletion() {
    if (suspended()) {
      return false;
    }
    return switch (deletionPolicyOrDefault()) {
      case DELETE, WAIT_FOR_TERMINATION -> true;
      case ORPHAN -> false;
      default -> pruneEnabled();
    };
  }

  public static final String ROLLBACK_REVERT = "revert";
  public static final String ROLLBACK_HOLD = "hold";

  public GitSyncRef refOrDefault() {
    return ref == null || ref.kindCount() == 0 ? GitSyncRef.branch("main") : ref;
  }
}
