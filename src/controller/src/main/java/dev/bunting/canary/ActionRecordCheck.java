package dev.bunting.canary;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryStatus;
import dev.bunting.kube.BlockingPool;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the API server keeps {@code status.lastAction}, the record that makes each {@code bunting.dev/action}
 * request act once. A Canary CRD older than this Bunting (or Flagger's; Helm does not upgrade CRDs) prunes it without
 * an error, and then a handled request would look new on every reconcile and after every restart. So requests are
 * carried out only while the field is kept.
 *
 * <p>Known from the installed CRD, read when the first request appears (and again, at most once a minute, while the
 * field is missing, so applying the new CRD is noticed), or, without the right to read CRDs, from a status write that
 * came back without the {@code lastAction} it sent. Costs nothing while no request is pending.
 */
public final class ActionRecordCheck {
  private static final Logger LOG = LoggerFactory.getLogger(ActionRecordCheck.class);
  static final String CRD = "canaries.flagger.app";
  private static final Duration RECHECK = Duration.ofMinutes(1);

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final Clock clock;
  /** null: not known yet. */
  private volatile Boolean kept;
  private volatile Instant checkedAt = Instant.EPOCH;

  public ActionRecordCheck(KubernetesClient client, BlockingPool pool, Clock clock) {
    this.client = client;
    this.pool = pool;
    this.clock = clock;
  }

  /** Whether a request may be carried out (its record would be kept). */
  public Future<Boolean> kept() {
    Boolean known = kept;
    if (known != null && (known || clock.instant().isBefore(checkedAt.plus(RECHECK)))) {
      return Future.succeededFuture(known);
    }
    return pool.run(this::readCrd).map(schema -> {
      kept = schema;
      checkedAt = clock.instant();
      return schema;
    });
  }

  /** After a status write: a {@code lastAction} sent but not stored means the CRD prunes it. */
  public void written(CanaryStatus sent, Canary stored) {
    if (sent.lastAction != null && (stored.getStatus() == null || stored.getStatus().lastAction == null)) {
      if (!Boolean.FALSE.equals(kept)) {
        LOG.error("the API server dropped status.lastAction of Canary {}/{}: {}", stored.getMetadata().getNamespace(),
            stored.getMetadata().getName(), MISSING);
      }
      kept = false;
      checkedAt = clock.instant();
    }
  }

  /** What to tell the user when requests cannot be carried out. */
  static final String MISSING = "the installed Canary CRD has no status.lastAction (it is older than this Bunting, or "
      + "Flagger's), so Bunting could not record a request as handled and does not carry out bunting.dev/action "
      + "requests; apply the CRDs of this Bunting release (crds/ or charts/bunting/crds/)";

  /** Reads the CRD's schema; true when it cannot be read (no right to): the first status write tells then. */
  private boolean readCrd() {
    try {
      CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
      if (crd == null) {
        return true;
      }
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        if (v.getName().equals(Canary.VERSION) && v.getSchema() != null) {
          JsonNode status = Serialization.jsonMapper().valueToTree(v.getSchema().getOpenAPIV3Schema())
              .path("properties").path("status");
          return status.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
              || status.path("properties").has("lastAction");
        }
      }
      return true;
    } catch (KubernetesClientException e) {
      LOG.debug("cannot read CRD {} ({}); a status write will show whether status.lastAction is kept", CRD,
          e.getCode());
      return true;
    }
  }
}
