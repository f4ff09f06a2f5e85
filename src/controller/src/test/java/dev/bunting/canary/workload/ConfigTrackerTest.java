package dev.bunting.canary.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.canary.workload.ConfigTracker.ConfigRef;
import dev.bunting.canary.workload.ConfigTracker.Kind;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigTrackerTest {
  private static final String POD_SPEC = """
      initContainers:
      - name: init
        image: busybox
        envFrom: [{configMapRef: {name: init-env}}]
      containers:
      - name: app
        image: podinfo
        env:
        - name: A
          valueFrom: {configMapKeyRef: {name: env-cm, key: a}}
        - name: B
          valueFrom: {secretKeyRef: {name: env-secret, key: b}}
        envFrom: [{secretRef: {name: all-secret}}]
      volumes:
      - name: config
        configMap: {name: app-config}
      - name: tls
        secret: {secretName: app-tls}
      - name: projected
        projected:
          sources:
          - configMap: {name: projected-cm}
          - secret: {name: projected-secret}
      """;

  private final ConfigTracker tracker = new ConfigTracker();
  private final PodSpec spec = Serialization.unmarshal(POD_SPEC, PodSpec.class);

  @Test
  void findsEveryReferenceFlaggerTracks() {
    assertThat(tracker.references(spec)).extracting(ConfigRef::key).containsExactlyInAnyOrder(
        "configmap/app-config", "secret/app-tls", "configmap/projected-cm", "secret/projected-secret",
        "configmap/init-env", "configmap/env-cm", "secret/env-secret", "secret/all-secret");
  }

  @Test
  void primaryReferencesPointAtCopiesAndBackAgain() {
    List<ConfigRef> tracked = List.of(new ConfigRef(Kind.CONFIG_MAP, "app-config"),
        new ConfigRef(Kind.SECRET, "env-secret"), new ConfigRef(Kind.CONFIG_MAP, "projected-cm"));
    PodSpec primary = tracker.toPrimary(spec, tracked);
    assertThat(primary.getVolumes().get(0).getConfigMap().getName()).isEqualTo("app-config-primary");
    assertThat(primary.getVolumes().get(1).getSecret().getSecretName()).as("untracked stays").isEqualTo("app-tls");
    assertThat(primary.getVolumes().get(2).getProjected().getSources().get(0).getConfigMap().getName())
        .isEqualTo("projected-cm-primary");
    assertThat(primary.getContainers().get(0).getEnv().get(1).getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("env-secret-primary");
    assertThat(spec.getVolumes().get(0).getConfigMap().getName()).as("the input is not changed").isEqualTo("app-config");
    assertThat(Serialization.asJson(tracker.fromPrimary(primary, tracked))).isEqualTo(Serialization.asJson(spec));
  }

  @Test
  void disabledConfigsAndOtherSecretTypesAreNotTracked() {
    Map<String, HasMetadata> objects = Map.of(
        "configmap/app-config", new ConfigMapBuilder().withNewMetadata().withName("app-config").endMetadata()
            .addToData("k", "v").build(),
        "configmap/env-cm", new ConfigMapBuilder().withNewMetadata().withName("env-cm")
            .addToAnnotations(ConfigTracker.ANNOTATION, "disabled").endMetadata().build(),
        "secret/app-tls", new SecretBuilder().withNewMetadata().withName("app-tls").endMetadata()
            .withType("kubernetes.io/tls").build(),
        "secret/env-secret", new SecretBuilder().withNewMetadata().withName("env-secret").endMetadata()
            .withType("kubernetes.io/dockerconfigjson").build());
    List<ConfigRef> tracked = tracker.tracked(spec, (kind, name) -> Optional.ofNullable(
        objects.get(new ConfigRef(kind, name).key())));
    assertThat(tracked).extracting(ConfigRef::key).containsExactly("configmap/app-config", "secret/app-tls");
  }

  @Test
  void referencesThatAreNotOptionalAndNotFoundAreMissing() {
    PodSpec withOptional = Serialization.unmarshal(POD_SPEC.replace("{configMapRef: {name: init-env}}",
        "{configMapRef: {name: init-env, optional: true}}").replace("secret: {secretName: app-tls}",
        "secret: {secretName: app-tls, optional: true}"), PodSpec.class);
    Map<String, HasMetadata> objects = Map.of(
        "configmap/app-config", new ConfigMapBuilder().withNewMetadata().withName("app-config").endMetadata().build(),
        "secret/env-secret", new SecretBuilder().withNewMetadata().withName("env-secret").endMetadata().build());
    assertThat(tracker.missing(withOptional, (kind, name) -> Optional.ofNullable(
        objects.get(new ConfigRef(kind, name).key())))).extracting(ConfigRef::key).containsExactly(
        "configmap/projected-cm", "secret/projected-secret", "configmap/env-cm", "secret/all-secret");
  }

  @Test
  void checksumsFollowTheData() {
    ConfigMap a = new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().addToData("k", "1").build();
    ConfigMap b = new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().addToData("k", "2").build();
    Secret s = new SecretBuilder().withNewMetadata().withName("s").endMetadata().addToData("k", "MQ==").build();
    assertThat(ConfigTracker.checksum(a)).hasSize(16).isNotEqualTo(ConfigTracker.checksum(b));
    assertThat(ConfigTracker.checksum(a)).isEqualTo(ConfigTracker.checksum(
        new ConfigMapBuilder().withNewMetadata().withName("other").endMetadata().addToData("k", "1").build()));
    assertThat(ConfigTracker.checksum(s)).hasSize(16);
  }
}
