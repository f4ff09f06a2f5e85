package dev.bunting.ui;

import dev.bunting.api.AnalysisStatus;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryActionStatus;
import dev.bunting.api.CanaryGitRevision;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncStatus;
import dev.bunting.canary.ActionRequest;
import dev.bunting.canary.CanarySummary;
import dev.bunting.hooks.RedactedUrl;
import io.fabric8.kubernetes.api.model.Event;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The UI's view of Canaries and GitSyncs as JSON: only what the page shows, never Secret data; webhook URLs are
 * redacted ({@link RedactedUrl}: no user info, query or fragment) and webhook metadata is left out.
 */
public final class RolloutJson {
  private RolloutJson() {}

  public static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  /** One row of the canary list. */
  public static JsonObject canaryRow(Canary c) {
    CanaryStatus st = CanarySummary.status(c);
    CanaryGitRevision git = st.gitRevision;
    return new JsonObject()
        .put("namespace", c.getMetadata().getNamespace())
        .put("name", c.getMetadata().getName())
        .put("phase", st.phaseOrNew().toString())
        .put("phaseShown", CanarySummary.phase(c))
        .put("paused", CanarySummary.paused(c))
        .put("weight", st.canaryWeightOrZero())
        .put("failedChecks", st.failedChecksOrZero())
        .put("threshold", CanarySummary.threshold(c))
        .put("revision", CanarySummary.revision(c))
        .put("gitCommit", git == null || git.revision == null ? null : git.describe())
        .put("since", st.lastTransitionTime)
        .put("lastDecision", CanarySummary.lastDecision(c));
  }

  /** One row of the GitSync list. */
  public static JsonObject gitSyncRow(GitSync g) {
    GitSyncStatus st = g.getStatus();
    Condition ready = st == null ? null : Condition.find(st.conditions, Condition.READY).orElse(null);
    return new JsonObject()
        .put("namespace", g.getMetadata().getNamespace())
        .put("name", g.getMetadata().getName())
        .put("revision", st == null ? null : st.lastAppliedRevision)
        .put("ready", ready == null ? "Unknown" : ready.status)
        .put("reason", ready == null ? null : ready.reason)
        .put("message", ready == null ? null : ready.message)
        .put("lastSync", ready == null ? null : ready.lastTransitionTime);
  }

  /** Everything the canary page shows besides the history: conditions, analysis, webhooks, last action. */
  public static JsonObject canaryDetail(Canary c) {
    CanaryStatus st = CanarySummary.status(c);
    JsonObject out = canaryRow(c);
    JsonArray conditions = new JsonArray();
    if (st.conditions != null) {
      for (Condition k : st.conditions) {
        conditions.add(new JsonObject().put("type", k.type).put("status", k.status).put("reason", k.reason)
            .put("message", k.message).put("since", k.lastTransitionTime));
      }
    }
    out.put("conditions", conditions);
    out.put("analysis", analysis(st.analysis));
    JsonArray hooks = new JsonArray();
    List<CanaryWebhook> webhooks = c.getSpec() == null ? null : c.getSpec().effectiveAnalysis().webhooks;
    if (webhooks != null) {
      for (CanaryWebhook w : webhooks) {
        hooks.add(new JsonObject().put("name", w.name).put("type", w.type == null ? "rollout" : w.type)
            .put("url", RedactedUrl.of(w.url)));
      }
    }
    out.put("webhooks", hooks);
    CanaryActionStatus last = st.lastAction;
    out.put("lastAction", last == null ? null : new JsonObject().put("request", last.request)
        .put("result", last.result).put("message", last.message).put("handledAt", last.handledAt));
    out.put("pendingAction", ActionRequest.pending(c).map(ActionRequest::shown).orElse(null));
    return out;
  }

  /** {@code status.analysis}: the last tick's metric readings against their ranges. */
  static JsonObject analysis(AnalysisStatus a) {
    if (a == null) {
      return null;
    }
    return new JsonObject().put("startedAt", a.startedAt).put("evaluatedAt", a.evaluatedAt).put("result", a.result)
        .put("score", a.score).put("message", a.message).put("metrics", metrics(a.metrics));
  }

  static JsonArray metrics(List<AnalysisStatus.Metric> metrics) {
    JsonArray out = new JsonArray();
    if (metrics != null) {
      for (AnalysisStatus.Metric m : metrics) {
        out.add(new JsonObject().put("name", m.name).put("result", m.result).put("value", m.value)
            .put("range", m.range).put("comparison", m.comparison).put("window", m.window).put("message", m.message));
      }
    }
    return out;
  }

  /** A Kubernetes Event of a canary: its type, reason, message, count and last time. */
  public static JsonObject event(Event e) {
    String last = e.getLastTimestamp() != null ? e.getLastTimestamp()
        : e.getEventTime() != null ? e.getEventTime().getTime() : e.getFirstTimestamp();
    return new JsonObject().put("type", e.getType()).put("reason", e.getReason()).put("message", e.getMessage())
        .put("count", e.getCount()).put("at", last);
  }
}
