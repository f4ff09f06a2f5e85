package dev.bunting.playground;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The ImagePolicy of the {@code image-policy} scenario, as a user would write it: the demo app's repository in the
 * playground's registry, registry credentials in a {@code kubernetes.io/dockerconfigjson} Secret, every version
 * (pre-releases too: {@code >=1.0.0-0}), written through the demo app's GitSync. After each pushed image the
 * playground asks for a scan now with {@code reconcile.bunting.dev/requestedAt}. Blocking calls.
 */
public final class ImagePolicyLink {
  public static final String CRD = "imagepolicies.bunting.dev";
  static final ResourceDefinitionContext IMAGE_POLICIES = new ResourceDefinitionContext.Builder()
      .withGroup("bunting.dev").withVersion("v1alpha1").withKind("ImagePolicy").withPlural("imagepolicies")
      .withNamespaced(true).build();
  static final String SECRET = "registry-credentials";

  private final KubernetesClient client;
  private final String namespace;
  private final String name;

  public ImagePolicyLink(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  static String manifest(String name, String image, String gitSync) {
    return """
        apiVersion: bunting.dev/v1alpha1
        kind: ImagePolicy
        metadata:
          name: %s
        spec:
          image: %s
          insecure: true
          interval: 1m
          secretRef:
            name: %s
          policy:
            semver:
              range: ">=1.0.0-0"
          update:
            gitSyncRef:
              name: %s
        """.formatted(name, image, SECRET, gitSync);
  }

  /** Creates the registry Secret and the ImagePolicy for {@code image} (a repository of {@code registryHost}). */
  public void create(String image, String registryHost, String username, String password, String gitSync) {
    String auth = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(SECRET)
        .endMetadata().withType("kubernetes.io/dockerconfigjson").addToStringData(".dockerconfigjson",
            "{\"auths\":{\"" + registryHost + "\":{\"auth\":\"" + auth + "\"}}}").build())
        .fieldManager(ClusterSetup.FIELD_MANAGER).forceConflicts().serverSideApply();
    GenericKubernetesResource p = client.getKubernetesSerialization()
        .unmarshal(manifest(name, image, gitSync), GenericKubernetesResource.class);
    p.getMetadata().setNamespace(namespace);
    client.genericKubernetesResources(IMAGE_POLICIES).inNamespace(namespace).resource(p)
        .fieldManager(ClusterSetup.FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /** Asks for a scan now. */
  public void rescan(String token) {
    client.genericKubernetesResources(IMAGE_POLICIES).inNamespace(namespace).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + GitSyncLink.REQUESTED_AT + "\":\"" + token + "\"}}}");
  }

  public String name() {
    return name;
  }
}
