package dev.bunting.notify;

import dev.bunting.api.AlertProvider;
import java.util.Map;

/**
 * An AlertProvider's spec and, when it has a {@code secretRef}, the Secret's decoded data (empty otherwise, or
 * when the Secret does not exist).
 */
public record ResolvedAlertProvider(AlertProvider.Spec spec, Map<String, String> secretData) {
  public ResolvedAlertProvider {
    secretData = secretData == null ? Map.of() : Map.copyOf(secretData);
  }

  @Override
  public String toString() {
    return "ResolvedAlertProvider[type=" + spec.type + ", secretKeys=" + secretData.keySet() + "]";
  }
}
