package dev.bunting.gitops;

import java.util.List;
import java.util.Map;

/**
 * kstatus rules (as {@code sigs.k8s.io/cli-utils/pkg/kstatus/status} and Flux's fork compute them), over an object's
 * JSON map: Deployment available and fully updated (Failed past its progress deadline), StatefulSet and DaemonSet
 * rolled out, ReplicaSet ready, Job complete (Failed when failed), PersistentVolumeClaim bound, CRD established,
 * Namespace active; any other object is judged by its {@code Ready}, {@code Reconciling} and {@code Stalled}
 * conditions and {@code status.observedGeneration}; an object with none of these is Current as soon as it exists.
 */
public final class HealthRules {
  private HealthRules() {}

  public static Health evaluate(Map<String, Object> obj) {
    String kind = str(obj.get("kind"));
    String apiVersion = str(obj.get("apiVersion"));
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    Map<String, Object> metadata = map(obj.get("metadata"));
    if (metadata.get("deletionTimestamp") != null) {
      return Health.inProgress("being deleted");
    }
    Map<String, Object> status = map(obj.get("status"));
    long generation = num(metadata.get("generation"), 0);
    Object observed = status.get("observedGeneration");
    if (observed != null && num(observed, 0) < generation) {
      return Health.inProgress("generation " + generation + " not yet observed (observed " + num(observed, 0) + ")");
    }
    return switch (group + "/" + kind) {
      case "apps/Deployment" -> deployment(obj, status, generation);
      case "apps/StatefulSet" -> statefulSet(obj, status, generation);
      case "apps/DaemonSet" -> daemonSet(status, generation);
      case "apps/ReplicaSet" -> replicaSet(obj, status);
      case "batch/Job" -> job(status);
      case "/PersistentVolumeClaim" -> "Bound".equals(status.get("phase")) ? Health.current("bound")
          : Health.inProgress("not bound (phase " + status.getOrDefault("phase", "Pending") + ")");
      case "/Namespace" -> "Terminating".equals(status.get("phase")) ? Health.inProgress("terminating")
          : Health.current("active");
      case "apiextensions.k8s.io/CustomResourceDefinition" -> conditionTrue(status, "Established")
          ? Health.current("established") : Health.inProgress("not yet established");
      default -> generic(status, generation);
    };
  }

  private static Health deployment(Map<String, Object> obj, Map<String, Object> status, long generation) {
    if (status.isEmpty() || status.get("observedGeneration") == null && generation > 0) {
      return Health.inProgress("no status yet");
    }
    Map<String, Object> progressing = condition(status, "Progressing");
    if ("ProgressDeadlineExceeded".equals(progressing.get("reason"))) {
      return Health.failed("progress deadline exceeded: " + str(progressing.get("message")));
    }
    long want = num(map(obj.get("spec")).get("replicas"), 1);
    long replicas = num(status.get("replicas"), 0);
    long updated = num(status.get("updatedReplicas"), 0);
    long ready = num(status.get("readyReplicas"), 0);
    long available = num(status.get("availableReplicas"), 0);
    if (updated < want) {
      return Health.inProgress("updated replicas: " + updated + "/" + want);
    }
    if (replicas > updated) {
      return Health.inProgress("pending termination: " + (replicas - updated));
    }
    if (available < updated) {
      return Health.inProgress("available replicas: " + available + "/" + updated);
    }
    if (ready < updated) {
      return Health.inProgress("ready replicas: " + ready + "/" + updated);
    }
    if (want > 0 && !conditionTrue(status, "Available")) {
      return Health.inProgress("not available");
    }
    return Health.current("deployment is available, replicas: " + want);
  }

  private static Health statefulSet(Map<String, Object> obj, Map<String, Object> status, long generation) {
    if (status.get("observedGeneration") == null && generation > 0) {
      return Health.inProgress("no status yet");
    }
    Map<String, Object> spec = map(obj.get("spec"));
    Map<String, Object> strategy = map(spec.get("updateStrategy"));
    if ("OnDelete".equals(strategy.get("type"))) {
      return Health.current("OnDelete update strategy");
    }
    long want = num(spec.get("replicas"), 1);
    long ready = num(status.get("readyReplicas"), 0);
    long current = num(status.get("currentReplicas"), 0);
    long updated = num(status.get("updatedReplicas"), 0);
    long partition = num(map(strategy.get("rollingUpdate")).get("partition"), 0);
    if (ready < want) {
      return Health.inProgress("ready replicas: " + ready + "/" + want);
    }
    if (partition > 0) {
      return updated >= want - partition ? Health.current("partitioned roll out complete")
          : Health.inProgress("updated replicas: " + updated + "/" + (want - partition) + " (partition " + partition + ")");
    }
    if (!str(status.get("currentRevision")).equals(str(status.get("updateRevision")))) {
      return Health.inProgress("rolling out: current replicas " + current + "/" + want);
    }
    return Health.current("statefulset is ready, replicas: " + want);
  }

  private static Health daemonSet(Map<String, Object> status, long generation) {
    if (status.get("observedGeneration") == null && generation > 0) {
      return Health.inProgress("no status yet");
    }
    long desired = num(status.get("desiredNumberScheduled"), 0);
    long updated = num(status.get("updatedNumberScheduled"), 0);
    long available = num(status.get("numberAvailable"), 0);
    long ready = num(status.get("numberReady"), 0);
    if (updated < desired) {
      return Health.inProgress("updated: " + updated + "/" + desired);
    }
    if (available < desired || ready < desired) {
      return Health.inProgress("available: " + available + "/" + desired);
    }
    return Health.current("all " + desired + " pods are available");
  }

  private static Health replicaSet(Map<String, Object> obj, Map<String, Object> status) {
    long want = num(map(obj.get("spec")).get("replicas"), 1);
    long ready = num(status.get("readyReplicas"), 0);
    long available = num(status.get("availableReplicas"), 0);
    if (ready < want || available < want) {
      return Health.inProgress("ready replicas: " + ready + "/" + want);
    }
    return Health.current("replicaset is ready");
  }

  private static Health job(Map<String, Object> status) {
    if (conditionTrue(status, "Failed")) {
      return Health.failed("job failed: " + str(condition(status, "Failed").get("message")));
    }
    if (conditionTrue(status, "Complete")) {
      return Health.current("job completed");
    }
    return Health.inProgress("job not complete (active " + num(status.get("active"), 0) + ", succeeded "
        + num(status.get("succeeded"), 0) + ")");
  }

  private static Health generic(Map<String, Object> status, long generation) {
    if (conditionTrue(status, "Stalled")) {
      return Health.failed("stalled: " + str(condition(status, "Stalled").get("message")));
    }
    if (conditionTrue(status, "Reconciling")) {
      return Health.inProgress("reconciling: " + str(condition(status, "Reconciling").get("message")));
    }
    Map<String, Object> ready = condition(status, "Ready");
    if (!ready.isEmpty()) {
      return "True".equals(ready.get("status")) ? Health.current("ready")
          : Health.inProgress("not ready: " + str(ready.get("message")));
    }
    return Health.current("exists");
  }

  static boolean conditionTrue(Map<String, Object> status, String type) {
    return "True".equals(condition(status, type).get("status"));
  }

  static Map<String, Object> condition(Map<String, Object> status, String type) {
    if (status.get("conditions") instanceof List<?> list) {
      for (Object o : list) {
        Map<String, Object> c = map(o);
        if (type.equals(c.get("type"))) {
          return c;
        }
      }
    }
    return Map.of();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static String str(Object o) {
    return o == null ? "" : o.toString();
  }

  private static long num(Object o, long dflt) {
    return o instanceof Number n ? n.longValue() : dflt;
  }
}
