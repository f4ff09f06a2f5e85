package dev.bunting.ui;

import dev.bunting.kube.BlockingPool;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Who may act through the UI: the bearer token of a request is authenticated by the API server (TokenReview) and the
 * user it names, with its groups, must be allowed to {@code patch} {@code canaries.flagger.app} in the Canary's
 * namespace (SubjectAccessReview), exactly what {@code kubectl annotate} of the Canary would need. The token is never
 * logged or kept.
 */
public final class UiAccess {
  /** The outcome: {@code 401} not authenticated, {@code 403} not allowed, {@code 200} allowed; user may be null. */
  public record Verdict(int status, String user, String reason) {
    public boolean allowed() {
      return status == 200;
    }
  }

  private final KubernetesClient client;
  private final BlockingPool pool;

  public UiAccess(KubernetesClient client, BlockingPool pool) {
    this.client = client;
    this.pool = pool;
  }

  /** Whether the holder of {@code token} may patch Canary {@code namespace/name}. */
  public Future<Verdict> mayPatchCanary(String token, String namespace, String name) {
    if (token == null || token.isBlank()) {
      return Future.succeededFuture(new Verdict(401, null, "an Authorization: Bearer <token> header is required"));
    }
    return pool.run(() -> decide(token, namespace, name));
  }

  private Verdict decide(String token, String namespace, String name) {
    TokenReview review = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder()
        .withNewSpec().withToken(token).endSpec().build());
    if (review == null || review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())
        || review.getStatus().getUser() == null) {
      return new Verdict(401, null, "the token is not valid");
    }
    UserInfo user = review.getStatus().getUser();
    Map<String, List<String>> extra = user.getExtra() == null ? Map.of() : user.getExtra().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    SubjectAccessReview sar = client.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
        .withNewSpec()
        .withUser(user.getUsername()).withUid(user.getUid()).withGroups(user.getGroups()).withExtra(extra)
        .withNewResourceAttributes()
        .withGroup("flagger.app").withResource("canaries").withVerb("patch")
        .withNamespace(namespace).withName(name)
        .endResourceAttributes()
        .endSpec().build());
    boolean allowed = sar != null && sar.getStatus() != null && Boolean.TRUE.equals(sar.getStatus().getAllowed());
    return allowed ? new Verdict(200, user.getUsername(), "allowed")
        : new Verdict(403, user.getUsername(), user.getUsername() + " may not patch canaries.flagger.app in namespace "
            + namespace);
  }
}
