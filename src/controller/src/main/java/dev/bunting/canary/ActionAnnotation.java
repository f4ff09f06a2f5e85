package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.canary.ActionRequest.Action;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Writes a rollout action request into a Canary's {@code bunting.dev/action} annotation: a merge patch of that one
 * annotation (so it never conflicts with the controller's writes), with the time of the request as its id. The one
 * writer of requests, for {@code bunting promote|abort|...} and the web UI's actions. Blocking (a fabric8 call).
 */
public final class ActionAnnotation {
  private ActionAnnotation() {}

  /**
   * Writes the request for {@code action} on Canary {@code namespace/name} with the client's identity and returns the
   * value written ({@code promote,force@2026-12-04T16:40:05.123Z}).
   *
   * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server refuses it (404: no Canary)
   */
  public static String write(KubernetesClient client, String namespace, String name, Action action, boolean force,
      Instant at) {
    String value = ActionRequest.format(action, force,
        DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.MILLIS)));
    // through a named stub, one request: withName(..).patch(context, String) would GET the Canary first
    Canary stub = new Canary();
    stub.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    client.resources(Canary.class).inNamespace(namespace).resource(stub).patch(PatchContext.of(PatchType.JSON_MERGE),
        Serialization.asJson(Map.of("metadata", Map.of("annotations", Map.of(ActionRequest.ANNOTATION, value)))));
    return value;
  }
}
