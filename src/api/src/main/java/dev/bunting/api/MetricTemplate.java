package dev.bunting.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;
import java.util.Map;

/** {@code metrictemplates.flagger.app/v1beta1}: a metric query and the provider that answers it. */
@Group(Canary.GROUP)
@Version(Canary.VERSION)
@Kind("MetricTemplate")
@Plural("metrictemplates")
@Singular("metrictemplate")
public class MetricTemplate extends CustomResource<MetricTemplate.Spec, MetricTemplate.Status> implements Namespaced {

  /** {@code spec}. */
  public static class Spec extends ApiObject {
    public Provider provider;
    /** A Go text/template query (Flagger syntax). */
    public String query;
  }

  /** {@code spec.provider}. */
  public static class Provider extends ApiObject {
    /** {@code prometheus} (the one Bunting evaluates), {@code influxdb}, {@code datadog}, ... (Flagger's enum). */
    public String type;
    public String address;
    /** Request headers; they replace the defaults of the same name. */
    public Map<String, List<String>> headers;
    /** A Secret in the template's namespace: {@code token}, or {@code username} + {@code password}. */
    public SecretReference secretRef;
    public String region;
    public Boolean insecureSkipVerify;
  }

  /** {@code status}: Flagger declares conditions but never writes them; Bunting does. */
  public static class Status extends ApiObject {
    public List<Condition> conditions;
    public Long observedGeneration;
  }
}
