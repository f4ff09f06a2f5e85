package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryMetric;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.MetricTemplate;
import dev.bunting.canary.router.RoutedObject;
import dev.bunting.canary.router.RouterState;
import dev.bunting.canary.router.Routers;
import dev.bunting.canary.router.ServiceBuilder;
import dev.bunting.canary.router.TrafficRouter;
import dev.bunting.canary.workload.AutoscalerWorkload;
import dev.bunting.canary.workload.ConfigTracker;
import dev.bunting.canary.workload.DeploymentWorkload;
import dev.bunting.canary.workload.Readiness;
import dev.bunting.canary.workload.SelectorLabels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
 * becomes {@link Problem}s), finds the target, primary, selector label, router and routing object, judges readiness
 * and computes the target's revision. No API requests.
 */
public final class CanaryObserver {
  private final CanaryCaches caches;
  private final Routers routers;
  private final DeploymentWorkload workload;
  private final SelectorLabels selectorLabels;
  private final boolean metricsServerConfigured;
  private final int maxProgressing;
  private final boolean configTracking;

  public CanaryObserver(CanaryCaches caches, Routers routers, DeploymentWorkload workload,
      SelectorLabels selectorLabels, boolean metricsServerConfigured, int maxProgressing, boolean configTracking) {
    this.caches = caches;
    this.routers = routers;
    this.workload = workload;
    this.selectorLabels = selectorLabels;
    this.metricsServerConfigured = metricsServerConfigured;
    this.maxProgressing = maxProgressing;
    this.configTracking = configTracking;
  }

  public String provider(Canary canary) {
    return routers.providerOf(canary);
  }

  public Observation observe(Canary canary, Instant now, boolean tickDue) {
    CanarySpec spec = canary.getSpec();
    String ns = canary.getMetadata().getNamespace();
    String provider = provider(canary);
    List<Problem> problems = new ArrayList<>();

    Optional<TrafficRouter> router = routers.routerFor(canary);
    if (router.isEmpty()) {
      routers.validate(canary).forEach(m -> problems.add(new Problem(Problem.UNSUPPORTED, m)));
    }
    String kind = spec.targetRef.kind == null ? "Deployment" : spec.targetRef.kind;
    if (!kind.equals("Deployment")) {
      problems.add(new Problem(Problem.UNSUPPORTED,
          "targetRef.kind " + kind + " is not supported by Bunting yet (supported: Deployment)"));
    }
    Deployment target = caches.deployments().get(ns, spec.targetRef.name).orElse(null);
    if (target == null && kind.equals("Deployment")) {
      problems.add(new Problem(Problem.TARGET_NOT_FOUND,
          "Deployment " + ns + "/" + spec.targetRef.name + " not found"));
    }
    Map.Entry<String, String> selector = target == null ? null : selectorLabels.find(target).orElse(null);
    if (target != null && selector == null) {
      problems.add(new Problem(Problem.INVALID_SPEC,
          "Deployment " + ns + "/" + spec.targetRef.name + ": " + selectorLabels.missingMessage()));
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
    HorizontalPodAutoscaler autoscaler = null;
    if (spec.autoscalerRef != null && spec.autoscalerRef.name != null) {
      String akind = spec.autoscalerRef.kind == null ? AutoscalerWorkload.HPA_KIND : spec.autoscalerRef.kind;
      if (!akind.equals(AutoscalerWorkload.HPA_KIND)) {
        problems.add(new Problem(Problem.UNSUPPORTED, "autoscalerRef.kind " + akind
            + " is not supported by Bunting yet (supported: HorizontalPodAutoscaler)"));
      } else {
        autoscaler = caches.autoscalers().get(ns, spec.autoscalerRef.name).orElse(null);
        if (autoscaler == null) {
          problems.add(new Problem(Problem.TARGET_NOT_FOUND,
              "HorizontalPodAutoscaler " + ns + "/" + spec.autoscalerRef.name + " not found"));
        }
      }
    }

    if (!problems.isEmpty() || target == null || selector == null) {
      CanarySnapshot s = new CanarySnapshot(canary, now, tickDue, provider, false, problems,
          null, RouterState.absent(), null, Map.of(), true);
      return new Observation(s, target, null, null, router.orElse(null), List.of(), autoscaler);
    }

    CanaryAnalysis analysis = spec.effectiveAnalysis();
    int deadline = spec.progressDeadlineSecondsOrDefault();
    Deployment primary = caches.deployments().get(ns, DeploymentWorkload.primaryName(target.getMetadata().getName()))
        .orElse(null);
    Readiness canaryReady = workload.readiness(target, analysis.canaryReadyThresholdOrDefault(), deadline, now);
    Readiness primaryReady = primary == null ? Readiness.waiting("primary " + ns + "/"
        + DeploymentWorkload.primaryName(spec.targetRef.name) + " not created yet")
        : workload.primaryReadiness(primary, analysis.primaryReadyThresholdOrDefault(), deadline, now);
    List<ConfigTracker.ConfigRef> tracked = !configTracking ? List.of()
        : workload.configs().tracked(target.getSpec().getTemplate().getSpec(), (k, n) -> caches.config(k, ns, n));
    Map<String, String> checksums = workload.configs().checksums(tracked, (k, n) -> caches.config(k, ns, n));
    boolean matches = primary != null && primary.getSpec() != null && Objects.equals(
        Revision.canonical(Serialization.jsonMapper().valueToTree(target.getSpec().getTemplate())),
        Revision.canonical(Serialization.jsonMapper().valueToTree(
            workload.unprimedTemplate(primary, selector.getKey(), selector.getValue(), tracked))));
    WorkloadView view = new WorkloadView(workload.replicas(target), canaryReady, primary != null, primary == null ? 0 : workload.replicas(primary), primaryReady, matches);
    RouterState routerState = router.get().state(canary, caches.routeObjects());
    String revision = Revision.of(target.getSpec().getTemplate(), checksums);
    CanarySnapshot s = new CanarySnapshot(canary, now, tickDue, provider, router.get().supportsWeights(), problems,
        view, routerState, revision, checksums, rolloutSlotFree(canary));
    return new Observation(s, target, primary, new ServiceBuilder.Selector(selector.getKey(), selector.getValue()),
        router.get(), tracked, autoscaler);
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
