package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Fast tier: which of a reconcile's writes the caches do not show yet (read-your-writes). */
class CachesCaughtUpTest {
  private final Map<String, String> cached = new java.util.HashMap<>();
  private final CanaryReconciler.CachedVersion caches =
      (kind, ns, name) -> Optional.ofNullable(cached.get(kind + "/" + ns + "/" + name));

  @Test
  void writesAreShownWhenEveryCacheHoldsTheirVersionOrANewerOne() {
    Map<String, String> written = new LinkedHashMap<>();
    written.put("Deployment/shop/web-primary", "120");
    written.put("Canary/shop/web", "125");
    cached.put("Deployment/shop/web-primary", "131"); // newer: someone else wrote after us
    cached.put("Canary/shop/web", "125");

    assertThat(CanaryReconciler.behind(written, caches)).isEmpty();
  }

  @Test
  void theFirstWriteACacheLacksOrHoldsAnOlderVersionOfIsNamed() {
    Map<String, String> written = new LinkedHashMap<>();
    written.put("Deployment/shop/web-primary", "120");
    written.put("Canary/shop/web", "125");
    written.put("Service/shop/web-canary", "126");
    cached.put("Deployment/shop/web-primary", "120");
    cached.put("Canary/shop/web", "119");

    assertThat(CanaryReconciler.behind(written, caches)).contains("Canary/shop/web");
    cached.put("Canary/shop/web", "125");
    assertThat(CanaryReconciler.behind(written, caches)).as("not cached at all").contains("Service/shop/web-canary");
  }
}
