package dev.bunting.canary.workload;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryStatus;
import dev.bunting.canary.workload.TargetObservation.Issue;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What Deployments, DaemonSets and StatefulSets share: the target's pods are selected by one of the selector labels,
 * the primary is a {@code <target>-primary} object of the same kind whose pods carry {@code <value>-primary}, the pod
 * template is copied with a new {@code flagger-id} (so the primary always rolls out), references to tracked configs
 * point at their {@code -primary} copies, and metadata that other controllers own (Flux, GitSync, kubectl) stays
 * behind. Subclasses add what differs: the object's shape, readiness, scaling and validation.
 *
 * @param <T> the workload's class
 */
public abstract class PodWorkload<T extends HasMetadata> implements Workload {
  /** Pod template annotation that changes on every promotion, so the primary always rolls out. */
  public static final String FLAGGER_ID = "flagger-id";
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final SelectorLabels selectorLabels;
  private final boolean configTracking;
  private final ConfigTracker configs = new ConfigTracker();

  protected PodWorkload(SelectorLabels selectorLabels, boolean configTracking) {
    this.selectorLabels = selectorLabels;
    this.configTracking = configTracking;
  }

  /** The primary's name for a target name. */
  public static String primaryName(String targetName) {
    return targetName + "-primary";
  }

  public ConfigTracker configs() {
    return configs;
  }

  protected abstract Class<T> type();

  protected abstract PodTemplateSpec template(T workload);

  protected abstract LabelSelector selector(T workload);

  /** The number of pods the object asks for, as the decider counts them (a DaemonSet: 1, or 0 scaled to zero). */
  public abstract int replicas(T workload);

  /** Readiness of the target (the canary) or, by default, of the primary. */
  public abstract Readiness readiness(T workload, int readyThresholdPercent, Canary canary, Instant now);

  /** Primary readiness: as {@link #readiness}, and a primary scaled to zero can never become ready. */
  public Readiness primaryReadiness(T primary, int readyThresholdPercent, Canary canary, Instant now) {
    if (replicas(primary) == 0) {
      return Readiness.failed("halt advancement: primary " + kind().toLowerCase() + " "
          + primary.getMetadata().getName() + " is scaled to zero");
    }
    return readiness(primary, readyThresholdPercent, canary, now);
  }

  /**
   * The primary object: {@code template} is the target's, already primed ({@link #primedTemplate}); {@code meta} has
   * name, namespace, labels, annotations and the owner reference. {@code existing} is the live primary (null when it
   * is created), whose fields that cannot change must be kept.
   */
  protected abstract T primaryObject(Canary canary, T target, T existing, ObjectMeta meta, PodTemplateSpec template,
      LabelSelector selector, int replicas);

  /** The writes that scale the target to {@code replicas}; nothing when it is there already. */
  protected abstract List<WorkloadWrite> scaleWrites(T target, int replicas);

  /** The part of the target's pod template that makes a revision; by default the whole template. */
  protected PodTemplateSpec revisionTemplate(T target) {
    return template(target);
  }

  /** Reasons the target (with its primary, null when absent) cannot be run; none by default. */
  protected List<Issue> validate(T target, T primary) {
    return List.of();
  }

  @Override
  public TargetObservation observe(Canary canary, WorkloadObjects objects, Instant now) {
    String ns = canary.getMetadata().getNamespace();
    String name = canary.getSpec().targetRef.name;
    T target = objects.get(type(), ns, name).orElse(null);
    if (target == null) {
      return TargetObservation.held(null, null, List.of(Issue.notFound(kind() + " " + ns + "/" + name + " not found")));
    }
    Optional<Map.Entry<String, String>> selector = selectorLabels.find(selector(target));
    if (selector.isEmpty()) {
      return TargetObservation.held(target, null, List.of(Issue.invalid(kind() + " " + ns + "/" + name + ": "
          + selectorLabels.missingMessage())));
    }
    T primary = objects.get(type(), ns, primaryName(name)).orElse(null);
    List<Issue> issues = validate(target, primary);
    if (!issues.isEmpty()) {
      return TargetObservation.held(target, primary, issues);
    }
    String label = selector.get().getKey();
    String value = selector.get().getValue();
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    Readiness canaryReady = readiness(target, analysis.canaryReadyThresholdOrDefault(), canary, now);
    Readiness primaryReady = primary == null ? Readiness.waiting("primary " + ns + "/" + primaryName(name)
        + " not created yet") : primaryReadiness(primary, analysis.primaryReadyThresholdOrDefault(), canary, now);
    BiFunction<ConfigTracker.Kind, String, Optional<? extends HasMetadata>> lookup = (k, n) ->
        k == ConfigTracker.Kind.CONFIG_MAP ? objects.get(ConfigMap.class, ns, n) : objects.get(Secret.class, ns, n);
    PodTemplateSpec template = template(target);
    boolean tracking = configTracking && template != null && template.getSpec() != null;
    if (tracking) {
      List<Issue> missing = configs.missing(template.getSpec(), lookup).stream()
          .map(ref -> Issue.notFound(ref.kind().displayName() + " " + ns + "/" + ref.name() + ", used by " + kind()
              + " " + ns + "/" + name + ", not found"))
          .toList();
      if (!missing.isEmpty()) {
        return TargetObservation.held(target, primary, missing);
      }
    }
    List<ConfigTracker.ConfigRef> tracked = tracking ? configs.tracked(template.getSpec(), lookup) : List.of();
    Map<String, String> checksums = configs.checksums(tracked, lookup);
    return new TargetObservation(target, primary, List.of(), label, value, template, tracked, checksums, "template",
        revisionTemplate(target), replicas(target), canaryReady, primary != null,
        primary == null ? 0 : replicas(primary), primaryReady,
        primary == null ? null : unprimedTemplate(primary, label, value, tracked));
  }

  @Override
  public List<WorkloadWrite> ensurePrimary(Canary canary, TargetObservation observed, String flaggerId) {
    if (observed.primary() != null) {
      return List.of();
    }
    return List.of(WorkloadWrite.Apply.always(desiredPrimary(canary, observed, flaggerId, false)));
  }

  @Override
  public List<WorkloadWrite> promote(Canary canary, TargetObservation observed, String flaggerId,
      boolean keepPrimaryReplicas) {
    return List.of(WorkloadWrite.Apply.always(desiredPrimary(canary, observed, flaggerId, keepPrimaryReplicas)));
  }

  @Override
  public List<WorkloadWrite> scale(Canary canary, TargetObservation observed, int replicas) {
    return scaleWrites(type().cast(observed.target()), replicas);
  }

  /**
   * The primary cloned from the observed target: pod template primed, labels and annotations filtered with the
   * selector label set to {@code <value>-primary}, replicas from the target (at least 1) unless
   * {@code keepPrimaryReplicas}, and a controller reference to the Canary.
   */
  public T desiredPrimary(Canary canary, TargetObservation observed, String flaggerId, boolean keepPrimaryReplicas) {
    T target = type().cast(observed.target());
    T existing = observed.primary() == null ? null : type().cast(observed.primary());
    String label = observed.selectorLabel();
    String primaryValue = observed.selectorValue() + "-primary";
    ObjectMeta meta = new ObjectMeta();
    meta.setName(primaryName(target.getMetadata().getName()));
    meta.setNamespace(target.getMetadata().getNamespace());
    meta.setLabels(primaryLabels(target.getMetadata().getLabels(), label, primaryValue));
    meta.setAnnotations(filter(target.getMetadata().getAnnotations()));
    meta.setOwnerReferences(List.of(canary.controllerReference()));
    int replicas = keepPrimaryReplicas && existing != null ? replicas(existing) : Math.max(1, replicas(target));
    return primaryObject(canary, target, existing, meta,
        primedTemplate(target, label, observed.selectorValue(), flaggerId, observed.trackedConfigs()),
        new LabelSelector(null, Map.of(label, primaryValue)), replicas);
  }

  /**
   * The target's pod template as the primary runs it: selector label {@code <value>-primary}, a new
   * {@code flagger-id}, tracked config references to their {@code -primary} copies, affinity and spread selectors
   * that pick the target's pods pointed at the primary's.
   */
  protected PodTemplateSpec primedTemplate(T target, String label, String value, String flaggerId,
      List<ConfigTracker.ConfigRef> trackedConfigs) {
    String primaryValue = value + "-primary";
    PodTemplateSpec template = Serialization.clone(revisionTemplate(target));
    template.setSpec(configs.toPrimary(template.getSpec(), trackedConfigs));
    if (template.getMetadata() == null) {
      template.setMetadata(new ObjectMeta());
    }
    template.getMetadata().setLabels(primaryLabels(template.getMetadata().getLabels(), label, primaryValue));
    Map<String, String> podAnnotations = filter(template.getMetadata().getAnnotations());
    podAnnotations.put(FLAGGER_ID, flaggerId);
    template.getMetadata().setAnnotations(podAnnotations);
    template.getMetadata().setCreationTimestamp(null);
    rewriteAffinity(template.getSpec(), label, value, primaryValue);
    return template;
  }

  /**
   * The primary's pod template as the target would have it: selector label value without {@code -primary} and no
   * {@code flagger-id}. Equal to the target's template when the primary runs what the target describes; used to
   * adopt canaries that Flagger ran (their status hashes are opaque to Bunting).
   */
  public PodTemplateSpec unprimedTemplate(T primary, String label, String value,
      List<ConfigTracker.ConfigRef> trackedConfigs) {
    PodTemplateSpec source = template(primary);
    if (source == null) {
      return null;
    }
    PodTemplateSpec t = Serialization.clone(source);
    if (t.getSpec() != null && !trackedConfigs.isEmpty()) { // t is a copy already: no second one for nothing to rename
      t.setSpec(configs.fromPrimary(t.getSpec(), trackedConfigs));
    }
    if (t.getMetadata() != null) {
      Map<String, String> labels = t.getMetadata().getLabels() == null ? new LinkedHashMap<>()
          : new LinkedHashMap<>(t.getMetadata().getLabels());
      if ((value + "-primary").equals(labels.get(label))) {
        labels.put(label, value);
      }
      t.getMetadata().setLabels(labels.isEmpty() ? null : labels);
      if (t.getMetadata().getAnnotations() != null) {
        Map<String, String> ann = new LinkedHashMap<>(t.getMetadata().getAnnotations());
        ann.remove(FLAGGER_ID);
        t.getMetadata().setAnnotations(ann.isEmpty() ? null : ann);
      }
      t.getMetadata().setCreationTimestamp(null);
    }
    if (t.getSpec() != null) {
      rewriteAffinity(t.getSpec(), label, value + "-primary", value);
    }
    return t;
  }

  /** An empty object of the target's kind naming {@code target}, for partial (server-side apply) writes. */
  protected static ObjectMeta nameOf(HasMetadata target) {
    ObjectMeta meta = new ObjectMeta();
    meta.setName(target.getMetadata().getName());
    meta.setNamespace(target.getMetadata().getNamespace());
    return meta;
  }

  /**
   * Flagger's deadline for kinds without a progress deadline of their own (DaemonSets, StatefulSets): a rollout that
   * has not finished {@code progressDeadlineSeconds} after the Canary's last status change will not finish.
   */
  protected static boolean pastCanaryDeadline(Canary canary, Instant now) {
    CanaryStatus status = canary.getStatus();
    if (status == null || status.lastTransitionTime == null || status.lastTransitionTime.isEmpty()) {
      return false;
    }
    try {
      return Instant.parse(status.lastTransitionTime)
          .plusSeconds(canary.getSpec().progressDeadlineSecondsOrDefault()).isBefore(now);
    } catch (RuntimeException unparsable) {
      return false;
    }
  }

  protected static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  static Map<String, String> primaryLabels(Map<String, String> source, String label, String primaryValue) {
    Map<String, String> labels = filter(source);
    labels.put(label, primaryValue);
    return labels;
  }

  /** Drops keys other controllers own: Flux's {@code toolkit.fluxcd.io}, GitSync's owner labels, kubectl's last-applied. */
  static Map<String, String> filter(Map<String, String> source) {
    Map<String, String> out = new LinkedHashMap<>();
    if (source != null) {
      source.forEach((k, v) -> {
        if (!k.contains("toolkit.fluxcd.io") && !k.startsWith("gitsync.bunting.dev/") && !k.equals(LAST_APPLIED)) {
          out.put(k, v);
        }
      });
    }
    return out;
  }

  /** Topology spread and pod (anti-)affinity selectors that pick the target's pods are rewritten to the primary's. */
  private static void rewriteAffinity(PodSpec spec, String label, String from, String to) {
    if (spec == null) {
      return;
    }
    if (spec.getTopologySpreadConstraints() != null) {
      for (TopologySpreadConstraint c : spec.getTopologySpreadConstraints()) {
        rewrite(c.getLabelSelector(), label, from, to);
      }
    }
    if (spec.getAffinity() != null && spec.getAffinity().getPodAntiAffinity() != null) {
      var anti = spec.getAffinity().getPodAntiAffinity();
      if (anti.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
        for (PodAffinityTerm t : anti.getRequiredDuringSchedulingIgnoredDuringExecution()) {
          rewrite(t.getLabelSelector(), label, from, to);
        }
      }
      if (anti.getPreferredDuringSchedulingIgnoredDuringExecution() != null) {
        for (WeightedPodAffinityTerm t : anti.getPreferredDuringSchedulingIgnoredDuringExecution()) {
          if (t.getPodAffinityTerm() != null) {
            rewrite(t.getPodAffinityTerm().getLabelSelector(), label, from, to);
          }
        }
      }
    }
  }

  private static void rewrite(LabelSelector selector, String label, String from, String to) {
    if (selector != null && selector.getMatchLabels() != null && from.equals(selector.getMatchLabels().get(label))) {
      Map<String, String> m = new LinkedHashMap<>(selector.getMatchLabels());
      m.put(label, to);
      selector.setMatchLabels(m);
    }
  }
}
