package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryGitRevision;
import dev.bunting.api.CanaryMetric;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.GitSync;
import dev.bunting.api.MetricTemplate;
import dev.bunting.canary.router.RoutedObject;
import dev.bunting.canary.router.RouterState;
import dev.bunting.canary.router.Routers;
import dev.bunting.canary.router.TrafficRouter;
import dev.bunting.canary.router.KnativeRouter;
import dev.bunting.canary.workload.AutoscalerWorkload;
import dev.bunting.canary.workload.KnativeWorkload;
import dev.bunting.canary.workload.ScaledObjectAutoscaler;
import dev.bunting.canary.workload.TargetObservation;
import dev.bunting.canary.workload.Workload;
import dev.bunting.canary.workload.Workloads;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads one canary's world from the informer caches into an {@link Observation}: validates the input (bad input
 * becomes {@link Problem}s), asks the target kind's {@link Workload} for the target, primary, selector label and
 * readiness, reads the router's state and computes the target's revision. No API requests.
 */
public final class CanaryObserver {
  /** Source of new sticky-session cookie values (they pin users to a release; unguessable is cheap, so take it). */
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  private final CanaryCaches caches;
  private final Routers routers;
  private final Workloads workloads;
  private final boolean metricsServerConfigured;
  private final int maxProgressing;

  public CanaryObserver(CanaryCaches caches, Routers routers, Workloads workloads, boolean metricsServerConfigured,
      int maxProgressing) {
    this.caches = caches;
    this.routers = routers;
    this.workloads = workloads;
    this.metricsServerConfigured = metricsServerConfigured;
    this.maxProgressing = maxProgressing;
  }

  public String provider(Canary canary) {
    return routers.providerOf(canary);
  }

  public Observation observe(Canary canary, Instant now, boolean tickDue) {
    CanarySpec spec = canary.getSpec();
    String ns = canary.getMetadata().getNamespace();
    String provider = provider(canary);
    List<Problem> problems = new ArrayList<>();
    // values the CRD accepted but a whole-number field cannot hold (read truncated; never acted on)
    canary.readProblems().forEach(m -> problems.add(new Problem(Problem.INVALID_SPEC, m)));

    Optional<TrafficRouter> router = routers.routerFor(canary);
    if (router.isEmpty()) {
      routers.validate(canary).forEach(m -> problems.add(new Problem(Problem.UNSUPPORTED, m)));
    }
    Workload workload = workloads.forTarget(spec.targetRef).orElse(null);
    TargetObservation target = null;
    if (workload == null) {
      problems.add(new Problem(Problem.UNSUPPORTED, Workloads.unsupportedMessage(spec.targetRef)));
    } else {
      boolean knativeTarget = workload instanceof KnativeWorkload;
      if (knativeTarget != KnativeRouter.PROVIDER.equals(provider)) {
        problems.add(new Problem(Problem.INVALID_SPEC, knativeTarget
            ? "can't use " + provider + " provider with Knative Service as target; set spec.provider: knative"
            : "can't use " + workload.kind() + " as target if provider is set to knative"));
      }
      target = workload.observe(canary, caches.workloadObjects(), now);
      target.issues().forEach(i -> problems.add(new Problem(reason(i.kind()), i.message())));
    }
    if (router.isPresent()) {
      List<String> invalid = router.get().validate(canary);
      invalid.forEach(m -> problems.add(new Problem(Problem.INVALID_SPEC, m)));
      if (invalid.isEmpty()) {
        List<ResourceDefinitionContext> missing = missingKinds(router.get(), canary);
        missing.forEach(k -> problems.add(new Problem(Problem.UNSUPPORTED,
            RoutedObject.describe(k) + " is not installed in the cluster; provider " + provider + " needs it")));
        if (missing.isEmpty()) {
          router.get().problems(canary, caches.routeObjects())
              .forEach(m -> problems.add(new Problem(Problem.INVALID_REFERENCE, m)));
        }
      }
    }
    problems.addAll(metricProblems(canary));
    HasMetadata autoscaler = workload == null ? null : autoscaler(canary, workload, problems);

    if (!problems.isEmpty() || target == null || target.held()) {
      CanarySnapshot s = new CanarySnapshot(canary, now, tickDue, provider, false, problems,
          null, RouterState.absent(), null, Map.of(), true);
      return new Observation(s, workload, target, router.orElse(null), autoscaler);
    }

    boolean matches = target.primaryRevisionSource() != null && Objects.equals(
        Revision.canonical(Serialization.jsonMapper().valueToTree(target.revisionSource())),
        Revision.canonical(Serialization.jsonMapper().valueToTree(target.primaryRevisionSource())));
    WorkloadView view = new WorkloadView(target.targetReplicas(), target.canaryReadiness(), target.primaryExists(),
        target.primaryReplicas(), target.primaryReadiness(), matches);
    RouterState routerState = router.get().state(canary, caches.routeObjects());
    String revision = Revision.of(target.revisionField(), target.revisionSource(), target.checksums());
    SessionCookieValues cookies = spec.effectiveAnalysis().sessionAffinity == null ? SessionCookieValues.NONE
        : SessionCookieValues.random(RANDOM);
    CanarySnapshot s = new CanarySnapshot(canary, now, tickDue, provider, router.get().supportsWeights(), problems,
        view, routerState, revision, target.checksums(), rolloutSlotFree(canary), router.get().supportsMirroring(),
        cookies, gitRevision(target.target()));
    return new Observation(s, workload, target, router.get(), autoscaler);
  }

  /**
   * The Git commit that last changed {@code target}, from the annotations a GitSync puts on a Canary's target when it
   * changes it (and its owner labels); null for a target no GitSync applied.
   */
  static CanaryGitRevision gitRevision(HasMetadata target) {
    Map<String, String> annotations = target == null ? null : target.getMetadata().getAnnotations();
    String revision = annotations == null ? null : annotations.get(GitSync.REVISION_ANNOTATION);
    if (revision == null || revision.isBlank()) {
      return null;
    }
    Map<String, String> labels = target.getMetadata().getLabels() == null ? Map.of() : target.getMetadata().getLabels();
    String name = labels.get(GitSync.NAME_LABEL);
    String ns = labels.get(GitSync.NAMESPACE_LABEL);
    return new CanaryGitRevision(revision, annotations.get(GitSync.SUBJECT_ANNOTATION),
        name == null || ns == null ? null : ns + "/" + name);
  }

  private static String reason(TargetObservation.Issue.Kind kind) {
    return switch (kind) {
      case TARGET_NOT_FOUND -> Problem.TARGET_NOT_FOUND;
      case INVALID_SPEC -> Problem.INVALID_SPEC;
      case UNSUPPORTED -> Problem.UNSUPPORTED;
    };
  }

  /** The target's HorizontalPodAutoscaler or KEDA ScaledObject ({@code autoscalerRef}); problems when it is unusable. */
  private HasMetadata autoscaler(Canary canary, Workload workload, List<Problem> problems) {
    CanarySpec spec = canary.getSpec();
    if (spec.autoscalerRef == null || spec.autoscalerRef.name == null) {
      return null;
    }
    String ns = canary.getMetadata().getNamespace();
    String kind = spec.autoscalerRef.kind == null ? AutoscalerWorkload.HPA_KIND : spec.autoscalerRef.kind;
    if (!workload.scalable()) {
      problems.add(new Problem(Problem.INVALID_SPEC, "can't use autoscaler with " + workload.kind()
          + " (autoscalerRef " + kind + " " + spec.autoscalerRef.name + ")"));
      return null;
    }
    if (kind.equals(AutoscalerWorkload.HPA_KIND)) {
      HorizontalPodAutoscaler hpa = caches.autoscalers().get(ns, spec.autoscalerRef.name).orElse(null);
      if (hpa == null) {
        problems.add(new Problem(Problem.TARGET_NOT_FOUND,
            "HorizontalPodAutoscaler " + ns + "/" + spec.autoscalerRef.name + " not found"));
      }
      return hpa;
    }
    if (kind.equals(ScaledObjectAutoscaler.KIND)) {
      if (caches.routes(ScaledObjectAutoscaler.SCALED_OBJECTS).isEmpty()) {
        problems.add(new Problem(Problem.UNSUPPORTED, RoutedObject.describe(ScaledObjectAutoscaler.SCALED_OBJECTS)
            + " is not installed in the cluster; autoscalerRef " + spec.autoscalerRef.name + " needs it"));
        return null;
      }
      GenericKubernetesResource so = caches.workloadObjects().get(ScaledObjectAutoscaler.SCALED_OBJECTS, ns,
          spec.autoscalerRef.name).orElse(null);
      if (so == null) {
        problems.add(new Problem(Problem.TARGET_NOT_FOUND,
            "ScaledObject " + ns + "/" + spec.autoscalerRef.name + " not found"));
      }
      return so;
    }
    problems.add(new Problem(Problem.UNSUPPORTED, "autoscalerRef.kind " + kind
        + " is not supported (supported: HorizontalPodAutoscaler, ScaledObject)"));
    return null;
  }

  /** The kinds of the canary's routing objects that the cluster does not serve (no cache was started for them). */
  private List<ResourceDefinitionContext> missingKinds(TrafficRouter router, Canary canary) {
    Map<String, ResourceDefinitionContext> missing = new LinkedHashMap<>();
    for (RoutedObject o : router.objects(canary)) {
      if (caches.routes(o.kind()).isEmpty()) {
        missing.putIfAbsent(RoutedObject.kindKey(o.kind()), o.kind());
      }
    }
    return List.copyOf(missing.values());
  }

  /** Without a limit, always; else whether fewer than the limit of other canaries are in flight. */
  private boolean rolloutSlotFree(Canary canary) {
    if (maxProgressing <= 0) {
      return true;
    }
    long inFlight = caches.canaries().list(null).stream()
        .filter(c -> !c.getMetadata().getUid().equals(canary.getMetadata().getUid()))
        .filter(c -> c.getStatus() != null && c.getStatus().phaseOrNew().inFlight())
        .count();
    return inFlight < maxProgressing;
  }

  private List<Problem> metricProblems(Canary canary) {
    List<Problem> out = new ArrayList<>();
    CanarySpec spec = canary.getSpec();
    if (spec.analysisSkipped()) {
      return out;
    }
    List<CanaryMetric> metrics = spec.effectiveAnalysis().metrics;
    if (metrics == null) {
      return out;
    }
    String ns = canary.getMetadata().getNamespace();
    for (CanaryMetric m : metrics) {
      if (m.templateRef != null && m.templateRef.name != null) {
        String tns = m.templateRef.namespaceOr(ns);
        Optional<MetricTemplate> t = caches.metricTemplates().get(tns, m.templateRef.name);
        if (t.isEmpty()) {
          out.add(new Problem(Problem.METRIC_TEMPLATE_NOT_FOUND, "MetricTemplate " + tns + "/" + m.templateRef.name
              + " referenced by metric " + m.name + " not found"));
          continue;
        }
        MetricTemplate.Spec ts = t.get().getSpec();
        String type = ts == null || ts.provider == null || ts.provider.type == null ? "prometheus" : ts.provider.type;
        if (!type.equals("prometheus")) {
          out.add(new Problem(Problem.UNSUPPORTED, "MetricTemplate " + tns + "/" + m.templateRef.name + ": provider "
              + type + " is not supported by Bunting yet (supported: prometheus)"));
        } else if (ts.provider.secretRef != null && ts.provider.secretRef.name != null
            && caches.secrets().get(tns, ts.provider.secretRef.name).isEmpty()) {
          out.add(new Problem(Problem.SECRET_NOT_FOUND, "Secret " + tns + "/" + ts.provider.secretRef.name
              + " referenced by MetricTemplate " + tns + "/" + m.templateRef.name + " not found"));
        } else if ((ts.provider.address == null || ts.provider.address.isEmpty()) && !metricsServerConfigured
            && (spec.metricsServer == null || spec.metricsServer.isEmpty())) {
          out.add(new Problem(Problem.INVALID_SPEC, "MetricTemplate " + tns + "/" + m.templateRef.name
              + " has no provider.address and no --metrics-server is configured"));
        }
      } else if (m.isBuiltin() || (m.query != null && !m.query.isEmpty())) {
        if (!metricsServerConfigured && (spec.metricsServer == null || spec.metricsServer.isEmpty())) {
          out.add(new Problem(Problem.INVALID_SPEC, "metric " + m.name
              + " needs a Prometheus: set spec.metricsServer or start Bunting with --metrics-server"));
        }
      } else {
        out.add(new Problem(Problem.INVALID_SPEC, "metric " + m.name + " has neither a query nor a templateRef"
            + (m.compare != null ? " (compare: " + m.compare + " runs its query for the canary and the primary)" : "")));
      }
    }
    MetricSettings.problems(spec.effectiveAnalysis(),
        dev.bunting.analysis.BuiltinQueries.effectiveProvider(spec.provider, routers.defaultProvider()))
        .forEach(m -> out.add(new Problem(Problem.INVALID_SPEC, m)));
    return out;
  }
}
