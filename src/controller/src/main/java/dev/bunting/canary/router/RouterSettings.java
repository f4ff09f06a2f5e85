package dev.bunting.canary.router;

/**
 * Controller-wide settings some routers need, from the flags of Flagger's that set them.
 *
 * @param ingressAnnotationsPrefix the nginx provider's annotation prefix ({@code --ingress-annotations-prefix}, default
 *     {@code nginx.ingress.kubernetes.io})
 * @param ingressClass the ingress class of generated routing objects ({@code --ingress-class}); empty for none
 */
public record RouterSettings(String ingressAnnotationsPrefix, String ingressClass) {
  public static final String DEFAULT_INGRESS_ANNOTATIONS_PREFIX = "nginx.ingress.kubernetes.io";

  public RouterSettings {
    ingressAnnotationsPrefix = ingressAnnotationsPrefix == null || ingressAnnotationsPrefix.isBlank()
        ? DEFAULT_INGRESS_ANNOTATIONS_PREFIX : ingressAnnotationsPrefix.trim();
    ingressClass = ingressClass == null ? "" : ingressClass.trim();
  }

  /** Flagger's defaults. */
  public static RouterSettings defaults() {
    return new RouterSettings(null, null);
  }
}
