package dev.bunting.gitops;

import dev.bunting.kube.BlockingPool;
import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a rendered revision: validate everything with a server-side dry run first (nothing is written when any
 * object is invalid), write only the objects whose dry-run result differs from the live object, in stages (CRDs and
 * Namespaces; other cluster-scoped objects; the rest), then prune what left the repository. Every request runs on the
 * GitSync worker pool, several at a time; the live objects come from the {@link ManagedObjects} watch caches, so a
 * sync where nothing changed makes no request at all.
 *
 * <p>Nothing here waits for the cluster. Where the apply must wait (CRDs of stage 1 not established yet, Namespaces not
 * active, an object being deleted before it is created again), it stops there and says what it waits for
 * ({@link SyncOutcome#waiting}); the reconciler syncs again shortly, or as soon as one of those objects changes, and
 * the next sync goes on from where this one stopped.
 */
final class ApplyPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);
  static final String FIELD_MANAGER = "bunting-gitops";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final Pattern IMMUTABLE = Pattern.compile(
      "(?i)field is immutable|is immutable|cannot change|may not be changed|cannot be changed|cannot patch");
  private static final int MAX_REPORTED_ERRORS = 5;

  /** What the last sync learned about one object, so the next one can skip the dry run if nothing moved. */
  record Memo(String digest, String resourceVersion, String fingerprint, long generation) {}

  /**
   * One sync's input. {@code memo} is the GitSync's memory across syncs (updated in place); {@code log} its log
   * fields; {@code waitingForStageOne} is told true just before the apply looks whether stage 1 is in place (from
   * then on a change of one of the GitSync's objects must wake it), false when it is.
   */
  record Request(ObjectLog log, String gitSyncNamespace, String gitSyncName, KubernetesClient client,
      List<Manifest> desired, List<ObjectKey> previousInventory, boolean prune, boolean allowEmpty, boolean force,
      Map<String, Memo> memo, Consumer<Boolean> waitingForStageOne) {}

  private enum Action { CREATE, CONFIGURE, RECREATE, UNCHANGED, SKIPPED }

  private static final class Item {
    final Manifest manifest;
    final ObjectKey key;
    ResourceDefinitionContext ctx;
    GenericKubernetesResource toApply;
    String digest;
    boolean deferred;
    Action action;
    String error;
    /** What keeps the object from being applied in this sync (it is being deleted); null when nothing. */
    String waiting;
    List<String> drift = List.of();
    boolean dryRun;
    /** Workload whose replicas a Canary or an HPA scales. */
    boolean scaledElsewhere;
    /** managedFields to write before the apply (fields added by hand, see {@link FieldTakeover}) and its base. */
    List<ManagedFieldsEntry> takeover;
    String takeoverVersion;
    private volatile boolean applied;

    boolean applied() {
      return applied;
    }

    void markApplied() {
      applied = true;
    }

    Item(Manifest m) {
      this.manifest = m;
      this.key = m.key();
    }
  }

  private final BlockingPool pool;
  private final ApiDiscovery discovery;
  private final ManagedObjects live;
  private final ReplicasRule replicas;
  private final int concurrency;
  private final Clock clock;

  ApplyPipeline(BlockingPool pool, ApiDiscovery discovery, ManagedObjects live, ReplicasRule replicas,
      int concurrency, Clock clock) {
    this.clock = clock;
    this.pool = pool;
    this.discovery = discovery;
    this.live = live;
    this.replicas = replicas;
    this.concurrency = Math.max(1, concurrency);
  }

  Future<SyncOutcome> run(Request r) {
    if (r.desired().isEmpty() && r.prune() && !r.allowEmpty() && !r.previousInventory().isEmpty()) {
      return Future.failedFuture(new SyncFailure(SyncFailure.EMPTY_RENDER, "the revision renders no objects; refusing"
          + " to prune the " + r.previousInventory().size() + " objects in the inventory (set spec.allowEmpty: true"
          + " to allow it)", true, r.previousInventory()));
    }
    List<Item> items = new ArrayList<>();
    r.desired().forEach(m -> items.add(new Item(m)));
    long[] t = new long[4];
    t[0] = System.nanoTime();
    return pool.run(() -> resolve(r, items))
        .compose(v -> live.watch(kinds(items)))
        .compose(v -> pool.run(() -> prepare(r, items)))
        .compose(v -> {
          t[1] = System.nanoTime();
          return parallel(items.stream().filter(i -> i.error == null && !i.deferred && i.action == null).toList(),
              i -> pool.run(() -> check(r, i)));
        })
        .compose(v -> {
          t[2] = System.nanoTime();
          try {
            failOnErrors(items, r);
          } catch (SyncFailure f) {
            return Future.failedFuture(f);
          }
          return applyStage(r, items, 1);
        })
        .compose(v -> {
          List<String> stageOne = stageOneWaiting(r, items);
          if (!stageOne.isEmpty()) {
            return Future.succeededFuture(stageOne);
          }
          return checkDeferred(r, items)
              .compose(x -> applyStage(r, items, 2))
              .compose(x -> applyStage(r, items, 3))
              .map(x -> List.<String>of());
        })
        .recover(e -> Future.failedFuture(e instanceof SyncFailure ? e : applyFailure(r, items, e)))
        .compose(stageOne -> {
          t[3] = System.nanoTime();
          long dryRuns = items.stream().filter(i -> i.dryRun).count();
          long writes = items.stream().filter(Item::applied).count();
          if (dryRuns + writes > 0) {
            r.log().to(LOG).info("{} objects: prepared in {} ms, {} dry runs in {} ms, {} writes in {} ms",
                items.size(), (t[1] - t[0]) / 1_000_000, dryRuns, (t[2] - t[1]) / 1_000_000, writes,
                (t[3] - t[2]) / 1_000_000);
          }
          List<String> waiting = new ArrayList<>(stageOne);
          items.stream().filter(i -> i.waiting != null).forEach(i -> waiting.add(i.waiting));
          if (!waiting.isEmpty()) {
            // stopped before the end: keep the old inventory (plus what was applied) and prune nothing yet
            return Future.succeededFuture(outcome(items, inventoryAfter(r, items), changes(items), 0, List.of(),
                waiting));
          }
          return prune(r, items);
        });
  }

  /** API discovery for every object: its resource, or why it must wait for stage 1, or why it is invalid; blocking. */
  private Void resolve(Request r, List<Item> items) {
    Set<String> renderedNamespaces = new HashSet<>();
    Set<String> renderedKinds = new HashSet<>();
    for (Item i : items) {
      if (ApplyOrder.isNamespace(i.key)) {
        renderedNamespaces.add(i.key.name());
      }
      if (ApplyOrder.isCrd(i.key) && i.manifest.object().getAdditionalProperties().get("spec") instanceof Map<?, ?> s
          && s.get("names") instanceof Map<?, ?> names) {
        renderedKinds.add(s.get("group") + "/" + names.get("kind"));
      }
    }
    Map<String, Boolean> namespaceExists = new HashMap<>();
    for (Item i : items) {
      Optional<ResourceDefinitionContext> ctx = discovery.find(i.key.apiVersion(), i.key.kind());
      if (ctx.isPresent()) {
        i.ctx = ctx.get();
      } else if (renderedKinds.contains(i.key.group() + "/" + i.key.kind())) {
        i.deferred = true;
      } else {
        i.error = "no API resource serves kind " + i.key.kind() + " in " + i.key.apiVersion()
            + " (is its CustomResourceDefinition installed?)";
      }
      if (!i.deferred && i.error == null && i.key.namespaced() && renderedNamespaces.contains(i.key.namespace())
          && !namespaceExists.computeIfAbsent(i.key.namespace(), ns -> namespaceExists(r.client(), ns))) {
        i.deferred = true;
      }
    }
    return null;
  }

  private static List<ResourceDefinitionContext> kinds(List<Item> items) {
    return items.stream().filter(i -> i.ctx != null && !i.deferred && i.error == null).map(i -> i.ctx).toList();
  }

  /** The replicas rule and the memo shortcut (objects that did not move since the last sync); blocking. */
  private Void prepare(Request r, List<Item> items) {
    Map<String, ReplicasRule.Decision> decisions = replicas.decide(r.desired(),
        k -> items.stream().filter(i -> i.key.equals(k) && i.ctx != null).findFirst()
            .flatMap(i -> live.get(i.ctx, k.namespace(), k.name())));
    for (Item i : items) {
      ReplicasRule.Decision d = decisions.get(i.key.inventoryId());
      i.toApply = ReplicasRule.applyTo(i.manifest.object(), d);
      i.scaledElsewhere = d != null;
      i.digest = d == null ? i.manifest.digest() : i.manifest.digest() + "|replicas:" + d.keepLiveValue();
      if (OptOut.reconcileDisabled(i.manifest.object())) {
        i.action = Action.SKIPPED;
        continue;
      }
      if (i.ctx != null && !i.deferred && i.error == null) {
        Memo memo = r.memo().get(i.key.inventoryId());
        Optional<GenericKubernetesResource> cached = live.get(i.ctx, i.key.namespace(), i.key.name());
        if (memo != null && memo.digest().equals(i.digest) && cached.isPresent()) {
          GenericKubernetesResource c = cached.get();
          if (Objects.equals(c.getMetadata().getResourceVersion(), memo.resourceVersion())) {
            i.action = Action.UNCHANGED;
          } else if (DriftCheck.fingerprint(c).equals(memo.fingerprint())) {
            i.action = Action.UNCHANGED;
            r.memo().put(i.key.inventoryId(), memoOf(i.digest, c));
          }
        }
      }
    }
    return null;
  }

  private boolean namespaceExists(KubernetesClient client, String ns) {
    try {
      return client.namespaces().withName(ns).get() != null;
    } catch (KubernetesClientException e) {
      return false;
    }
  }

  /** Dry-run one object and decide what to do with it; blocking. */
  private Void check(Request r, Item i) {
    Optional<GenericKubernetesResource> cachedLive = live.get(i.ctx, i.key.namespace(), i.key.name());
    if (cachedLive.isPresent() && cachedLive.get().getMetadata().getDeletionTimestamp() != null) {
      i.waiting = i.key + " (terminating; applied again once it is gone)";
      return null;
    }
    i.dryRun = true;
    GenericKubernetesResource dry;
    try {
      dry = ops(r.client(), i.ctx, i.key).resource(i.toApply).dryRun().fieldManager(FIELD_MANAGER).forceConflicts()
          .serverSideApply();
    } catch (KubernetesClientException e) {
      String msg = serverMessage(e);
      if (e.getCode() == 422 && IMMUTABLE.matcher(msg).find()) {
        if (r.force()) {
          i.action = Action.RECREATE;
        } else {
          i.error = msg + " (set spec.force: true to let GitSync delete and recreate it)";
        }
      } else {
        i.error = msg;
      }
      return null;
    }
    if (dry.getMetadata().getResourceVersion() == null || dry.getMetadata().getResourceVersion().isEmpty()) {
      i.action = Action.CREATE;
      return null;
    }
    GenericKubernetesResource current = live.get(i.ctx, i.key.namespace(), i.key.name())
        .filter(c -> Objects.equals(c.getMetadata().getResourceVersion(), dry.getMetadata().getResourceVersion()))
        .orElse(null);
    if (current == null) {
      current = ops(r.client(), i.ctx, i.key).withName(i.key.name()).get();
    }
    if (current != null && OptOut.reconcileDisabled(current)) {
      i.action = Action.SKIPPED;
      return null;
    }
    Optional<List<ManagedFieldsEntry>> takeover = current == null ? Optional.empty()
        : FieldTakeover.plan(current, FIELD_MANAGER, i.scaledElsewhere, clock.instant());
    if (takeover.isPresent()) {
      // fields added by hand: take them over, then the apply removes what Git does not set
      i.takeover = takeover.get();
      i.takeoverVersion = current.getMetadata().getResourceVersion();
      i.action = Action.CONFIGURE;
      List<String> drift = new ArrayList<>(DriftCheck.differences(dry, current, 5));
      drift.add("fields set by " + String.join(", ", FieldTakeover.byHandManagers(current)));
      i.drift = drift;
    } else if (DriftCheck.drifted(dry, current)) {
      i.action = Action.CONFIGURE;
      i.drift = DriftCheck.differences(dry, current, 5);
    } else {
      i.action = Action.UNCHANGED;
      r.memo().put(i.key.inventoryId(), memoOf(i.digest, current));
    }
    return null;
  }

  private void failOnErrors(List<Item> items, Request r) throws SyncFailure {
    List<Item> bad = items.stream().filter(i -> i.error != null).toList();
    if (bad.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(bad.size() == 1 ? "1 object is invalid, nothing was applied: "
        : bad.size() + " objects are invalid, nothing was applied: ");
    for (int n = 0; n < Math.min(MAX_REPORTED_ERRORS, bad.size()); n++) {
      Item i = bad.get(n);
      if (n > 0) {
        sb.append("; ");
      }
      sb.append(i.manifest.origin()).append(": ").append(i.key).append(": ").append(i.error);
    }
    if (bad.size() > MAX_REPORTED_ERRORS) {
      sb.append("; and ").append(bad.size() - MAX_REPORTED_ERRORS).append(" more");
    }
    throw new SyncFailure(SyncFailure.VALIDATION_FAILED, sb.toString(), true, null);
  }

  private Future<Void> applyStage(Request r, List<Item> items, int stage) {
    List<Item> todo = items.stream()
        .filter(i -> ApplyOrder.stage(i.key) == stage && !i.deferred && i.error == null && i.waiting == null
            && i.action != null && i.action != Action.UNCHANGED && i.action != Action.SKIPPED && !i.applied())
        .sorted(Comparator.comparing(i -> i.key, ApplyOrder.COMPARATOR))
        .toList();
    return parallel(todo, i -> pool.run(() -> {
      apply(r, i);
      return null;
    }));
  }

  private void apply(Request r, Item i) {
    Resource<GenericKubernetesResource> res = ops(r.client(), i.ctx, i.key).resource(i.toApply);
    GenericKubernetesResource result;
    try {
      if (i.action == Action.RECREATE && !deleted(r, i)) {
        return;
      } else if (i.takeover != null) {
        takeOver(r, i);
      }
      result = res.fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    } catch (KubernetesClientException e) {
      String msg = serverMessage(e);
      if (r.force() && e.getCode() == 422 && IMMUTABLE.matcher(msg).find() && i.action != Action.RECREATE) {
        i.action = Action.RECREATE;
        if (!deleted(r, i)) {
          return;
        }
        result = res.fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
      } else {
        throw new ObjectFailure(i, msg);
      }
    }
    r.memo().put(i.key.inventoryId(), memoOf(i.digest, result));
    i.markApplied();
    r.log().to(LOG).debug("{} {}{}", i.key, verb(i.action),
        i.drift.isEmpty() ? "" : " (drifted: " + String.join(", ", i.drift) + ")");
  }

  /**
   * Deletes an object whose immutable fields changed ({@code spec.force}); true when it is gone at once (then it is
   * created again in this sync), false when it is still terminating (a later sync creates it).
   */
  private boolean deleted(Request r, Item i) {
    Resource<GenericKubernetesResource> existing = ops(r.client(), i.ctx, i.key).withName(i.key.name());
    existing.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    if (existing.get() == null) {
      return true;
    }
    i.waiting = i.key + " (deleted to be created again: its immutable fields changed)";
    return false;
  }

  /**
   * The CRDs and Namespaces of this revision that are not established or active yet, from the watch caches (no
   * request): what must be in place before anything that may need them is applied.
   */
  private List<String> stageOneWaiting(Request r, List<Item> items) {
    List<Item> stageOne = items.stream().filter(i -> ApplyOrder.stage(i.key) == 1 && i.ctx != null
        && i.action != Action.SKIPPED && i.waiting == null).toList();
    if (stageOne.isEmpty()) {
      return List.of();
    }
    r.waitingForStageOne().accept(true);
    List<String> waiting = new ArrayList<>();
    for (Item i : stageOne) {
      if (i.applied() && ApplyOrder.isCrd(i.key)) {
        forgetServedVersions(i);
      }
      Optional<GenericKubernetesResource> obj = live.get(i.ctx, i.key.namespace(), i.key.name());
      Map<String, Object> status = obj.map(o -> HealthRules.map(o.getAdditionalProperties().get("status")))
          .orElse(Map.of());
      if (ApplyOrder.isCrd(i.key) && !(obj.isPresent() && HealthRules.conditionTrue(status, "Established"))) {
        waiting.add(i.key + " (not established yet)");
      } else if (ApplyOrder.isNamespace(i.key) && !(obj.isPresent() && !"Terminating".equals(status.get("phase")))) {
        waiting.add(i.key + (obj.isPresent() ? " (terminating)" : " (not active yet)"));
      }
    }
    if (waiting.isEmpty()) {
      r.waitingForStageOne().accept(false);
    }
    return waiting;
  }

  /** {@code group/version/kind} of every version the CRDs of this revision serve. */
  private static Set<String> servedKinds(List<Item> items) {
    Set<String> served = new HashSet<>();
    for (Item i : items) {
      if (ApplyOrder.isCrd(i.key) && i.manifest.object().getAdditionalProperties().get("spec") instanceof Map<?, ?> s
          && s.get("names") instanceof Map<?, ?> names && s.get("versions") instanceof List<?> versions) {
        for (Object v : versions) {
          if (v instanceof Map<?, ?> vm && !Boolean.FALSE.equals(vm.get("served"))) {
            served.add(s.get("group") + "/" + vm.get("name") + "/" + names.get("kind"));
          }
        }
      }
    }
    return served;
  }

  /** After a CRD was applied: its group versions are asked again (the kinds it serves may have changed). */
  private void forgetServedVersions(Item i) {
    if (i.manifest.object().getAdditionalProperties().get("spec") instanceof Map<?, ?> s
        && s.get("versions") instanceof List<?> versions) {
      for (Object v : versions) {
        if (v instanceof Map<?, ?> vm) {
          discovery.invalidate(s.get("group") + "/" + vm.get("name"));
        }
      }
    }
  }

  /** Objects whose CRD or Namespace is created by this same revision are validated once stage 1 is in. */
  private Future<Void> checkDeferred(Request r, List<Item> items) {
    List<Item> deferred = items.stream().filter(i -> i.deferred && i.action != Action.SKIPPED).toList();
    if (deferred.isEmpty()) {
      return Future.succeededFuture();
    }
    Set<String> servedByThisRevision = servedKinds(items);
    return pool.run(() -> {
      for (Item i : deferred) {
        i.deferred = false;
        Optional<ResourceDefinitionContext> ctx = discovery.find(i.key.apiVersion(), i.key.kind());
        if (ctx.isEmpty() && servedByThisRevision.contains(i.key.apiVersion() + "/" + i.key.kind())) {
          // the CRD is established, but discovery can lag behind it for a moment: ask once more, then wait
          discovery.invalidate(i.key.apiVersion());
          ctx = discovery.find(i.key.apiVersion(), i.key.kind());
          if (ctx.isEmpty()) {
            i.waiting = i.key + " (its CustomResourceDefinition is established; the API server does not serve the"
                + " kind yet)";
            continue;
          }
        }
        if (ctx.isEmpty()) {
          i.error = "no API resource serves kind " + i.key.kind() + " in " + i.key.apiVersion()
              + " (its CustomResourceDefinition was applied but is not served)";
        } else {
          i.ctx = ctx.get();
        }
      }
      return null;
    }).compose(v -> live.watch(kinds(deferred)))
        .compose(v -> parallel(deferred.stream().filter(i -> i.error == null).toList(), i -> pool.run(() -> check(r, i))))
        .compose(v -> {
          try {
            failOnErrors(items, r);
          } catch (SyncFailure f) {
            return Future.failedFuture(new SyncFailure(f.reason(), f.getMessage()
                + " (CustomResourceDefinitions and Namespaces of this revision were applied)", true,
                inventoryAfter(r, items)));
          }
          return Future.succeededFuture();
        });
  }

  private Future<SyncOutcome> prune(Request r, List<Item> items) {
    Set<String> wanted = new HashSet<>();
    for (Item i : items) {
      wanted.add(i.key.inventoryId());
    }
    List<ObjectKey> stale = r.previousInventory().stream().filter(k -> !wanted.contains(k.inventoryId()))
        .sorted(ApplyOrder.COMPARATOR.reversed()).toList();
    List<String> warnings = new ArrayList<>();
    List<String> changes = changes(items);
    if (!r.prune() || stale.isEmpty()) {
      return Future.succeededFuture(outcome(items, inventory(items, List.of()), changes, 0, warnings, List.of()));
    }
    return pool.run(() -> deleteAll(r.client(), r.log(), r.gitSyncNamespace(), r.gitSyncName(), stale)).compose(d -> {
      d.deleted().forEach(k -> r.memo().remove(k.inventoryId()));
      d.deleted().forEach(k -> changes.add(k + " pruned"));
      warnings.addAll(d.warnings());
      SyncOutcome outcome = outcome(items, inventory(items, d.failed()), changes, d.deleted().size(), warnings,
          List.of());
      if (!d.failures().isEmpty()) {
        return Future.failedFuture(new SyncFailure(SyncFailure.PRUNE_FAILED, "prune failed for "
            + String.join("; ", d.failures()), false, new ArrayList<>(outcome.inventory())));
      }
      return Future.succeededFuture(outcome);
    });
  }

  /**
   * What {@link #deleteAll} did: objects deleted, objects found already terminating (not deleted again), objects left
   * on purpose (with why, in {@code warnings}), and objects whose deletion failed (with the API server's message, in
   * {@code failures}); {@code transientFailure} when one of those failures may pass if tried again (server error,
   * throttling, timeout, no connection).
   */
  record Deletion(List<ObjectKey> deleted, List<ObjectKey> terminating, List<String> warnings, List<ObjectKey> failed,
      List<String> failures, boolean transientFailure) {}

  /**
   * Deletes {@code keys} in reverse apply order (background propagation), each only if it still exists, carries the
   * owner labels of {@code gitSyncNamespace/gitSyncName} and has no prune opt-out. Blocking: call on the worker pool.
   */
  Deletion deleteAll(KubernetesClient client, ObjectLog log, String gitSyncNamespace, String gitSyncName,
      List<ObjectKey> keys) {
    List<ObjectKey> ordered = keys.stream().sorted(ApplyOrder.COMPARATOR.reversed()).toList();
    List<ObjectKey> deleted = new ArrayList<>();
    List<ObjectKey> terminating = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<ObjectKey> failed = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    boolean transientFailure = false;
    for (ObjectKey k : ordered) {
      try {
        Optional<ResourceDefinitionContext> ctx = discovery.find(k.apiVersion(), k.kind());
        if (ctx.isEmpty()) {
          continue; // the kind is gone (its CRD was deleted): so is the object
        }
        Resource<GenericKubernetesResource> res = ops(client, ctx.get(), k).withName(k.name());
        GenericKubernetesResource obj = res.get();
        if (obj == null) {
          continue;
        }
        if (!OwnerLabels.ownedBy(obj.getMetadata().getLabels(), gitSyncNamespace, gitSyncName)) {
          warnings.add(k + " was not deleted: it does not carry this GitSync's owner labels");
          continue;
        }
        if (OptOut.pruneDisabled(obj)) {
          warnings.add(k + " was not deleted: prune is disabled by annotation");
          continue;
        }
        if (obj.getMetadata().getDeletionTimestamp() != null) {
          terminating.add(k);
          continue;
        }
        res.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        deleted.add(k);
        log.to(LOG).info("{} deleted", k);
      } catch (KubernetesClientException e) {
        failed.add(k);
        failures.add(k + ": " + serverMessage(e));
        transientFailure |= isTransient(e);
      }
    }
    return new Deletion(deleted, terminating, warnings, failed, failures, transientFailure);
  }

  /** Server errors, throttling, timeouts and lost connections (code 0) may pass; 4xx answers will not. */
  static boolean isTransient(KubernetesClientException e) {
    int code = e.getCode();
    return code == 0 || code == 408 || code == 429 || code >= 500;
  }

  private static List<String> changes(List<Item> items) {
    List<String> changes = new ArrayList<>();
    for (Item i : items) {
      if (i.applied()) {
        changes.add(i.key + " " + verb(i.action));
      }
    }
    return changes;
  }

  /** What the GitSync manages after a complete sync: every rendered object, and stale ones it failed to delete. */
  private static List<ObjectKey> inventory(List<Item> items, List<ObjectKey> keptStale) {
    LinkedHashSet<ObjectKey> inv = new LinkedHashSet<>();
    items.forEach(i -> inv.add(i.key));
    inv.addAll(keptStale);
    List<ObjectKey> sorted = new ArrayList<>(inv);
    sorted.sort(Comparator.comparing(ObjectKey::inventoryId));
    return sorted;
  }

  private static SyncOutcome outcome(List<Item> items, List<ObjectKey> inventory, List<String> changes, int pruned,
      List<String> warnings, List<String> waiting) {
    int created = 0;
    int configured = 0;
    int unchanged = 0;
    int skipped = 0;
    for (Item i : items) {
      if (i.action == null || i.waiting != null) {
        continue;
      }
      switch (i.action) {
        case CREATE -> created += i.applied() ? 1 : 0;
        case CONFIGURE, RECREATE -> configured += i.applied() ? 1 : 0;
        case UNCHANGED -> unchanged++;
        case SKIPPED -> skipped++;
        default -> { }
      }
    }
    Set<ObjectKey> skippedKeys = new HashSet<>();
    items.stream().filter(i -> i.action == Action.SKIPPED).forEach(i -> skippedKeys.add(i.key));
    return new SyncOutcome(inventory, changes, created, configured, unchanged, skipped, pruned, warnings, skippedKeys,
        waiting);
  }

  /** After a failure midway: the old inventory plus whatever was applied, so a later prune can still find it. */
  private static List<ObjectKey> inventoryAfter(Request r, List<Item> items) {
    Map<String, ObjectKey> inv = new HashMap<>();
    r.previousInventory().forEach(k -> inv.put(k.inventoryId(), k));
    items.stream().filter(Item::applied).forEach(i -> inv.put(i.key.inventoryId(), i.key));
    List<ObjectKey> out = new ArrayList<>(inv.values());
    out.sort(Comparator.comparing(ObjectKey::inventoryId));
    return out;
  }

  private static SyncFailure applyFailure(Request r, List<Item> items, Throwable e) {
    Throwable cause = e;
    while (!(cause instanceof ObjectFailure) && cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String msg = cause instanceof ObjectFailure of
        ? of.item.manifest.origin() + ": " + of.item.key + ": " + of.getMessage()
        : String.valueOf(e.getMessage());
    return new SyncFailure(SyncFailure.APPLY_FAILED, "apply failed: " + msg, false, inventoryAfter(r, items));
  }

  private static Memo memoOf(String digest, GenericKubernetesResource obj) {
    Long gen = obj.getMetadata().getGeneration();
    return new Memo(digest, obj.getMetadata().getResourceVersion(), DriftCheck.fingerprint(obj), gen == null ? 0 : gen);
  }

  private static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> ops0(KubernetesClient client, ResourceDefinitionContext ctx) {
    return client.genericKubernetesResources(ctx);
  }

  private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
      GenericKubernetesResourceList, Resource<GenericKubernetesResource>> ops(KubernetesClient client,
      ResourceDefinitionContext ctx, ObjectKey key) {
    return ctx.isNamespaceScoped() ? ops0(client, ctx).inNamespace(key.namespace()) : ops0(client, ctx);
  }

  static String serverMessage(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null && !e.getStatus().getMessage().isBlank()) {
      return e.getStatus().getMessage();
    }
    return String.valueOf(e.getMessage());
  }

  private static String verb(Action a) {
    return switch (a) {
      case CREATE -> "created";
      case CONFIGURE -> "configured";
      case RECREATE -> "recreated";
      case UNCHANGED -> "unchanged";
      case SKIPPED -> "skipped";
    };
  }

  /**
   * Writes the planned managedFields (only if the object did not change since the plan). A failure is not fatal: the
   * apply goes on, the by-hand fields stay until the next sync tries again.
   */
  private void takeOver(Request r, Item i) {
    String patch = "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":"
        + JSON.asJson(i.takeoverVersion) + "},{\"op\":\"replace\",\"path\":\"/metadata/managedFields\",\"value\":"
        + JSON.asJson(i.takeover) + "}]";
    try {
      // through resource(..): withName(..).patch(context, String) would GET the object first
      ops(r.client(), i.ctx, i.key).resource(i.toApply).patch(PatchContext.of(PatchType.JSON), patch);
      r.log().to(LOG).info("{}: took over {}", i.key, i.drift.get(i.drift.size() - 1));
    } catch (KubernetesClientException e) {
      r.log().to(LOG).warn("{}: could not take over fields set by hand: {}", i.key, serverMessage(e));
    }
  }

  /** Runs {@code fn} over {@code list}, at most {@link #concurrency} at a time; fails with the first failure. */
  private <T> Future<Void> parallel(List<T> list, Function<T, Future<?>> fn) {
    if (list.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] worker = new Runnable[1];
    worker[0] = () -> {
      int idx = next.getAndIncrement();
      if (idx >= list.size()) {
        return;
      }
      Future<?> f;
      try {
        f = fn.apply(list.get(idx));
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
          return;
        }
        if (finished.incrementAndGet() == list.size()) {
          done.tryComplete();
        } else {
          worker[0].run();
        }
      });
    };
    for (int n = 0; n < Math.min(concurrency, list.size()); n++) {
      worker[0].run();
    }
    return done.future();
  }

  /** An object the API server refused during the real apply. */
  private static final class ObjectFailure extends RuntimeException {
    final transient Item item;

    ObjectFailure(Item item, String message) {
      super(message);
      this.item = item;
    }
  }
}
