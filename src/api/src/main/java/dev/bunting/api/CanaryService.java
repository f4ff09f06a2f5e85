package dev.bunting.api;

import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.List;
import java.util.Map;

/** {@code spec.service}: the Services Bunting generates and the routing it configures for them. */
public class CanaryService extends ApiObject {
  /** Apex name; default {@code targetRef.name}. Generated: {@code <name>}, {@code <name>-primary}, {@code <name>-canary}. */
  public String name;
  public Integer port;
  /** Default {@code http}. */
  public String portName;
  /** Default: {@link #port}. */
  public IntOrString targetPort;
  public String appProtocol;
  public String trafficDistribution;
  public Boolean portDiscovery;
  public Boolean headless;
  public String timeout;
  public String backendTimeout;
  public List<String> gateways;
  public List<ParentReference> gatewayRefs;
  public List<String> hosts;
  public Boolean delegation;
  public Map<String, Object> trafficPolicy;
  public List<HttpMatchRequest> match;
  public HttpRewrite rewrite;
  public HttpRetry retries;
  public HeaderOperations headers;
  public List<Map<String, Object>> mirror;
  public Map<String, Object> corsPolicy;
  public String meshName;
  public List<String> backends;
  public CustomMetadata apex;
  public CustomMetadata primary;
  public CustomMetadata canary;
  public UnmanagedMetadata unmanagedMetadata;

  /** {@code service.apex|primary|canary}: labels and annotations of a generated object. */
  public static class CustomMetadata extends ApiObject {
    public Map<String, String> labels;
    public Map<String, String> annotations;
  }

  /** {@code service.unmanagedMetadata}: keys on generated Services that other controllers own. */
  public static class UnmanagedMetadata extends ApiObject {
    public List<String> labels;
    public List<String> annotations;
  }

  /** Gateway API {@code ParentReference}. */
  public static class ParentReference extends ApiObject {
    public String group;
    public String kind;
    public String namespace;
    public String name;
    public String sectionName;
    public Integer port;
  }

  /** {@code service.rewrite}. For Gateway API, {@code type} is {@code ReplacePrefixMatch} or (default) {@code ReplaceFullPath}. */
  public static class HttpRewrite extends ApiObject {
    public String uri;
    public String authority;
    public String type;
  }

  /** {@code service.retries} (Istio, Contour). */
  public static class HttpRetry extends ApiObject {
    public Integer attempts;
    public String perTryTimeout;
    public String retryOn;
  }

  /** {@code service.headers}: request and response header manipulation. */
  public static class HeaderOperations extends ApiObject {
    public HeaderOperation request;
    public HeaderOperation response;
  }

  /** One direction of {@link HeaderOperations}. */
  public static class HeaderOperation extends ApiObject {
    public Map<String, String> add;
    public Map<String, String> set;
    public List<String> remove;
  }
}
