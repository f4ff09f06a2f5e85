package dev.bunting.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * {@code alertproviders.flagger.app/v1beta1}: where canary alerts are posted (Slack, MS Teams, Discord, Rocket, Google
 * Chat, or Bunting's generic JSON).
 */
@Group(Canary.GROUP)
@Version(Canary.VERSION)
@Kind("AlertProvider")
@Plural("alertproviders")
@Singular("alertprovider")
public class AlertProvider extends CustomResource<AlertProvider.Spec, AlertProvider.Status> implements Namespaced {

  /** {@code spec}. */
  public static class Spec extends ApiObject {
    /** {@code slack}, {@code msteams}, {@code discord}, {@code rocket}, {@code gchat}; Bunting adds {@code generic}. */
    public String type;
    /** Default {@code general}. */
    public String channel;
    /** Default {@code flagger}. */
    public String username;
    /** Webhook URL; ignored when {@link #secretRef} is set. Never logged. */
    public String address;
    public String proxy;
    /**
     * A Secret in the provider's namespace: {@code address} (required), optional {@code token}, and for
     * {@code generic} an optional {@code signingKey}.
     */
    public SecretReference secretRef;

    public String channelOrDefault() {
      return channel == null || channel.isEmpty() ? "general" : channel;
    }

    public String usernameOrDefault() {
      return username == null || username.isEmpty() ? "flagger" : username;
    }
  }

  /** {@code status}. */
  public static class Status extends ApiObject {
    public List<Condition> conditions;
    public Long observedGeneration;
  }
}
