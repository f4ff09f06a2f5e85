package dev.bunting.canary.workload;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Deployment targets: builds the {@code <target>-primary} clone, judges readiness with Flagger's rules, and builds the
 * small objects used to scale. Pure: the reconciler applies what this returns.
 */
public final class DeploymentWorkload {
  /** Pod template annotation that changes on every promotion, so the primary always rolls out. */
  public static final String FLAGGER_ID = "flagger-id";
  private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final ConfigTracker configs = new ConfigTracker();

  public ConfigTracker configs() {
    return configs;
  }

  /** The primary's name for a target name. */
  public static String primaryName(String targetName) {
    return targetName + "-primary";
  }

  /**
   * The primary Deployment cloned from {@code target}: pod template copied with the selector label set to
   * {@code <value>-primary} and a new {@code flagger-id}, replicas from the target (at least 1), rollout settings
   * copied, references to tracked configs pointed at their {@code -primary} copies, metadata filtered, and a
   * controller reference to the Canary.
   */
  public Deployment desiredPrimary(Canary canary, Deployment target, String label, String value, String flaggerId,
      List<ConfigTracker.ConfigRef> trackedConfigs) {
    String primaryValue = value + "-primary";
    DeploymentSpec ts = target.getSpec();
    PodTemplateSpec template = Serialization.clone(ts.getTemplate());
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

    Deployment primary = new Deployment();
    primary.setApiVersion("apps/v1");
    primary.setKind("Deployment");
    ObjectMeta meta = new ObjectMeta();
    meta.setName(primaryName(target.getMetadata().getName()));
    meta.setNamespace(target.getMetadata().getNamespace());
    meta.setLabels(primaryLabels(target.getMetadata().getLabels(), label, primaryValue));
    meta.setAnnotations(filter(target.getMetadata().getAnnotations()));
    meta.setOwnerReferences(List.of(canary.controllerReference()));
    primary.setMetadata(meta);

    DeploymentSpec spec = new DeploymentSpec();
    int replicas = ts.getReplicas() == null ? 1 : Math.max(1, ts.getReplicas());
    spec.setReplicas(replicas);
    spec.setSelector(new LabelSelector(null, Map.of(label, primaryValue)));
    spec.setTemplate(template);
    spec.setProgressDeadlineSeconds(ts.getProgressDeadlineSeconds());
    spec.setMinReadySeconds(ts.getMinReadySeconds());
    spec.setRevisionHistoryLimit(ts.getRevisionHistoryLimit());
    spec.setStrategy(ts.getStrategy());
    primary.setSpec(spec);
    return primary;
  }

  /** A partial Deployment that, server-side applied, sets only {@code spec.replicas}. */
  public Deployment scaled(Deployment d, int replicas) {
    Deployment s = new Deployment();
    s.setApiVersion("apps/v1");
    s.setKind("Deployment");
    ObjectMeta meta = new ObjectMeta();
    meta.setName(d.getMetadata().getName());
    meta.setNamespace(d.getMetadata().getNamespace());
    s.setMetadata(meta);
    DeploymentSpec spec = new DeploymentSpec();
    spec.setReplicas(replicas);
    s.setSpec(spec);
    return s;
  }

  public int replicas(Deployment d) {
    return d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  /**
   * Flagger's readiness rules for a Deployment: rolled out ({@code observedGeneration}, updated and old replicas) and
   * enough updated replicas available ({@code readyThresholdPercent}); the Kubernetes progress deadline, or
   * {@code MinimumReplicasUnavailable} for longer than the canary's {@code progressDeadlineSeconds}, is final.
   */
  public Readiness readiness(Deployment d, int readyThresholdPercent, int progressDeadlineSeconds, Instant now) {
    DeploymentStatus st = d.getStatus();
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    if (st == null || st.getObservedGeneration() == null || generation > st.getObservedGeneration()) {
      return Readiness.waiting("waiting for rollout to finish: observed deployment generation less than desired generation");
    }
    for (DeploymentCondition c : st.getConditions() == null ? List.<DeploymentCondition>of() : st.getConditions()) {
      if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
        return Readiness.failed("deployment \"" + d.getMetadata().getName() + "\" exceeded its progress deadline");
      }
      if ("Available".equals(c.getType()) && "False".equals(c.getStatus())
          && "MinimumReplicasUnavailable".equals(c.getReason()) && c.getLastUpdateTime() != null) {
        Instant since = Instant.parse(c.getLastUpdateTime());
        if (since.plusSeconds(progressDeadlineSeconds).isBefore(now)) {
          return Readiness.failed("deployment \"" + d.getMetadata().getName()
              + "\" has had minimum replicas unavailable for more than " + progressDeadlineSeconds + "s");
        }
      }
    }
    int replicas = replicas(d);
    int updated = orZero(st.getUpdatedReplicas());
    int total = orZero(st.getReplicas());
    int available = orZero(st.getAvailableReplicas());
    if (updated < replicas) {
      return Readiness.waiting("waiting for rollout to finish: " + updated + " out of " + replicas
          + " new replicas have been updated");
    }
    if (total > updated) {
      return Readiness.waiting("waiting for rollout to finish: " + (total - updated)
          + " old replicas are pending termination");
    }
    int needed = (int) Math.ceil(updated * readyThresholdPercent / 100.0);
    if (available < needed) {
      return Readiness.waiting("waiting for rollout to finish: " + available + " of " + updated + " (readyThreshold "
          + readyThresholdPercent + "%) updated replicas are available");
    }
    return Readiness.READY;
  }

  /** Primary readiness: as {@link #readiness}, and a primary scaled to zero can never become ready. */
  public Readiness primaryReadiness(Deployment primary, int readyThresholdPercent, int progressDeadlineSeconds,
      Instant now) {
    if (primary.getSpec() != null && Objects.equals(primary.getSpec().getReplicas(), 0)) {
      return Readiness.failed("halt advancement: primary deployment " + primary.getMetadata().getName()
          + " is scaled to zero");
    }
    return readiness(primary, readyThresholdPercent, progressDeadlineSeconds, now);
  }

  /**
   * The primary's pod template as the target would have it: selector label value without {@code -primary} and no
   * {@code flagger-id}. Equal to the target's template when the primary runs what the target describes; used to
   * adopt canaries that Flagger ran (their status hashes are opaque to Bunting).
   */
  public PodTemplateSpec unprimedTemplate(Deployment primary, String label, String value,
      List<ConfigTracker.ConfigRef> trackedConfigs) {
    PodTemplateSpec t = Serialization.clone(primary.getSpec().getTemplate());
    if (t.getSpec() != null) {
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


  private static Map<String, String> primaryLabels(Map<String, String> source, String label, String primaryValue) {
    Map<String, String> labels = filter(source);
    labels.put(label, primaryValue);
    return labels;
  }

  /** Drops keys other controllers own: Flux's {@code toolkit.fluxcd.io}, GitSync's owner labels, kubectl's last-applied. */
  private static Map<String, String> filter(Map<String, String> source) {
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

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }
}
