package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.Canary;
import dev.bunting.canary.ActionRequest.Action;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Fast tier: an action request is one merge patch of the annotation, and a missing Canary is a 404. */
@EnableKubernetesMockClient(crud = true)
class ActionAnnotationMockTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void anActionIsOnePatchOfTheAnnotationAlone() throws Exception {
    client.resource(Serialization.<Canary>unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: web, namespace: prod, annotations: {team: payments}}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          service: {port: 80}
        """, Canary.class)).create();
    int before = server.getRequestCount();

    String value = ActionAnnotation.write(client, "prod", "web", Action.PROMOTE, true,
        Instant.parse("2026-12-07T16:40:05.123Z"));

    assertThat(value).isEqualTo("promote,force@2026-12-07T16:40:05.123Z");
    assertThat(server.getRequestCount() - before).as("requests").isEqualTo(1);
    assertThat(server.getLastRequest().getMethod()).isEqualTo("PATCH");
    Canary live = client.resources(Canary.class).inNamespace("prod").withName("web").get();
    assertThat(live.getMetadata().getAnnotations()).containsEntry(ActionRequest.ANNOTATION, value)
        .containsEntry("team", "payments");
    assertThat(live.getSpec().targetRef.name).isEqualTo("web");
  }

  @Test
  void aMissingCanaryIsNotFound() {
    assertThatThrownBy(() -> ActionAnnotation.write(client, "prod", "nope", Action.ABORT, false, Instant.now()))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThat(client.resources(Canary.class).inNamespace("prod").withName("nope").get()).isNull();
  }
}
