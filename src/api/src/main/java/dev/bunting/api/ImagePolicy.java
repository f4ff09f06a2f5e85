package dev.bunting.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code imagepolicies.bunting.dev/v1alpha1}: follows the tags of an image repository in an OCI registry, picks the
 * newest one its policy allows, and writes it into the files of a GitSync's repository where a marker comment
 * ({@code # {"$imagepolicy": "namespace:name"}}, Flux's format) asks for it. See {@code docs/gitsync.md}.
 */
@Group(GitSync.GROUP)
@Version(GitSync.VERSION)
@Kind("ImagePolicy")
@Plural("imagepolicies")
@Singular("imagepolicy")
public class ImagePolicy extends CustomResource<ImagePolicySpec, ImagePolicyStatus> implements Namespaced {
  public static final String KIND = "ImagePolicy";
}
