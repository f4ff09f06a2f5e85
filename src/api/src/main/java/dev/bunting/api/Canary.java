package dev.bunting.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/** {@code canaries.flagger.app/v1beta1}: a progressive release of one target workload. */
@Group(Canary.GROUP)
@Version(Canary.VERSION)
@Kind("Canary")
@Plural("canaries")
@Singular("canary")
public class Canary extends CustomResource<CanarySpec, CanaryStatus> implements Namespaced, ReadProblems {
  public static final String GROUP = "flagger.app";
  public static final String VERSION = "v1beta1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  /** Added with {@code revertOnDeletion}; Flagger's name, so either controller can finish the other's deletion. */
  public static final String FINALIZER = "finalizer.flagger.app";

  @JsonIgnore
  private transient List<String> readProblems = List.of();

  @Override
  public List<String> readProblems() {
    return readProblems;
  }

  @Override
  public void readProblems(List<String> problems) {
    this.readProblems = List.copyOf(problems);
  }

  /** The controller owner reference every object Bunting creates for this canary carries. */
  public OwnerReference controllerReference() {
    return new OwnerReferenceBuilder()
        .withApiVersion(API_VERSION)
        .withKind("Canary")
        .withName(getMetadata().getName())
        .withUid(getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
