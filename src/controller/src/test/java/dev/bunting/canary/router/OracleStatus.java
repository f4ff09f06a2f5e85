package dev.bunting.canary.router;

import dev.bunting.api.CanaryStatus;
import java.util.ArrayList;
import java.util.List;

/** The Canary status after each step of a flagger-oracle case, for tests outside this package (the canary engine's). */
public final class OracleStatus {
  private OracleStatus() {}

  /** Step index → status, from {@code flagger/istio.cases.json} (a case with {@code "dumpStatus": true}). */
  public static List<CanaryStatus> istio(String caseName) {
    FlaggerOracle oracle = FlaggerOracle.load("istio");
    List<CanaryStatus> out = new ArrayList<>();
    for (int i = 0; i < oracle.steps(caseName); i++) {
      out.add(oracle.status(caseName, i).orElseThrow(() -> new IllegalArgumentException(caseName + " has no status")));
    }
    return out;
  }
}
