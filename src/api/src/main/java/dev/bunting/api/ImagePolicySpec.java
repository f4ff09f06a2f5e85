package dev.bunting.api;

import java.time.Duration;

/** {@code ImagePolicy.spec}. */
public class ImagePolicySpec extends ApiObject {
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** The image repository without a tag: {@code registry.example.com/team/app}, {@code 127.0.0.1:5000/app}. */
  public String image;
  /** A {@code kubernetes.io/dockerconfigjson} Secret in this namespace with the registry's credentials. */
  public SecretReference secretRef;
  /** Talk plain http to the registry (a local or in-cluster registry); https otherwise. */
  public Boolean insecure;
  /** How often the tags are listed (Go duration). Default 5m. */
  public String interval;
  /** Upper bound of one scan (all its requests). Default 30s. */
  public String timeout;
  /** Only tags matching {@code pattern} are considered; {@code extract} is what the policy orders them by. */
  public ImagePolicyFilterTags filterTags;
  /** How the newest allowed tag is chosen: exactly one of semver, alphabetical, numerical. */
  public ImagePolicyChoice policy;
  /** Where the chosen image is written. Without it the policy only reports the newest image. */
  public ImagePolicyUpdate update;
  /** Stop scanning and writing. */
  public Boolean suspend;

  public Duration intervalOrDefault() {
    return GoDuration.parse(interval).filter(d -> !d.isZero()).orElse(DEFAULT_INTERVAL);
  }

  public Duration timeoutOrDefault() {
    return GoDuration.parse(timeout).filter(d -> !d.isZero()).orElse(DEFAULT_TIMEOUT);
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public boolean insecureEnabled() {
    return Boolean.TRUE.equals(insecure);
  }
}
