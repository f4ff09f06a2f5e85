package dev.bunting.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryActionStatus;
import dev.bunting.canary.ActionRequest;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code bunting status} prints, from Canaries as the API server returns them. */
class CanaryStatusViewTest {
  private final CanaryStatusView view = new CanaryStatusView();

  private static Canary canary(String namespace, String name, String status) {
    return Serialization.unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: %s, namespace: %s}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
          analysis: {interval: 1m, threshold: 5, stepWeight: 10, maxWeight: 50}
        status:
        %s
        """.formatted(name, namespace, status.indent(2)), Canary.class);
  }

  private static final String PAUSED = """
      phase: Progressing
      canaryWeight: 20
      failedChecks: 1
      lastAppliedSpec: v2:0123456789abcdef0123
      lastPromotedSpec: v2:fedcba9876543210
      lastTransitionTime: "2026-12-04T16:40:05Z"
      conditions:
      - {type: Promoted, status: Unknown, reason: Progressing, message: "New revision detected, progressing canary analysis."}
      - {type: Ready, status: Unknown, reason: Paused, message: "paused by bunting.dev/action=pause@1 at canary weight 20 in phase Progressing; the resume action continues"}
      - {type: Reconciling, status: "False", reason: Paused, message: "paused by bunting.dev/action=pause@1 at canary weight 20 in phase Progressing; the resume action continues", lastTransitionTime: "2026-12-04T16:40:05Z"}
      - {type: Paused, status: "True", reason: Paused, message: "paused by bunting.dev/action=pause@1 at canary weight 20 in phase Progressing; the resume action continues"}
      lastAction: {request: pause@1, name: pause, result: Accepted, message: paused at canary weight 20, handledAt: "2026-12-04T16:40:05Z"}
      """;

  @Test
  void theTableHasOneRowPerCanarySortedWithTheLastDecisionAndRevision() {
    Canary failed = canary("shop", "cart", """
        phase: Failed
        failedChecks: 5
        lastAppliedSpec: v2:aaaa
        gitRevision: {revision: "main@sha1:5f3c2a1e9b7d0123456789abcdef012345678901", subject: "cart 2.1.0"}
        conditions:
        - {type: Ready, status: "False", reason: Failed, message: "Canary analysis failed: failed checks threshold reached 5"}
        - {type: Stalled, status: "True", reason: Failed, message: "Canary analysis failed: failed checks threshold reached 5"}
        """);
    Canary fresh = canary("shop", "api", "{}");
    fresh.setStatus(null);
    String table = view.table(List.of(failed, canary("apps", "podinfo", PAUSED), fresh));
    assertThat(table.lines().toList()).containsExactly(
        "NAMESPACE   NAME      PHASE                  WEIGHT   FAILED   LAST DECISION"
            + "                                                              REVISION",
        "apps        podinfo   Progressing (paused)   20       1/5      Paused: paused by bunting.dev/action=pause@1 "
            + "at canary weight 20 in p...   v2:0123456789ab",
        "shop        api       <new>                  0        0/5      -"
            + "                                                                          -",
        "shop        cart      Failed                 0        5/5      Failed: Canary analysis failed: failed checks "
            + "threshold reached 5          main@sha1:5f3c2a1e9b7d");
  }

  @Test
  void theDetailsShowTheOverviewConditionsAndTheLastAction() {
    Canary c = canary("apps", "podinfo", PAUSED);
    String details = view.details(c);
    assertThat(details).startsWith("""
        Canary apps/podinfo:
          Phase:           Progressing (paused)
          Weight:          20 canary, 80 primary
          Failed checks:   1/5
          Last decision:   Paused: paused by bunting.dev/action=pause@1 at canary weight 20 in phase Progressing; \
        the resume action continues
          Revision:        v2:0123456789ab
          Promoted:        v2:fedcba9876543210
          Updated:         2026-12-04T16:40:05Z

        Conditions:
          TYPE          STATUS    REASON        SINCE                  MESSAGE
          Promoted      Unknown   Progressing   -                      New revision detected, progressing canary \
        analysis.
        """);
    assertThat(details).endsWith("""
        Last action:
          Request:   bunting.dev/action=pause@1
          Result:    Accepted
          Message:   paused at canary weight 20
          Handled:   2026-12-04T16:40:05Z
        """);
  }

  @Test
  void aRequestNotHandledYetIsShownAsPending() {
    Canary c = canary("apps", "podinfo", PAUSED);
    c.getMetadata().setAnnotations(Map.of(ActionRequest.ANNOTATION, "resume@2"));
    assertThat(view.details(c)).endsWith("  Pending:   bunting.dev/action=resume@2 (not handled yet)\n");
    c.getStatus().lastAction = new CanaryActionStatus("resume@2", "resume", "Accepted", "resumed", "2026-12-04T16:41:00Z");
    assertThat(view.details(c)).doesNotContain("Pending");
  }

  @Test
  void aSectionWithoutLinesIsLeftOut() {
    Canary fresh = canary("apps", "new", "{}");
    fresh.setStatus(null);
    assertThat(view.details(fresh)).doesNotContain("Conditions:", "Last action:").startsWith("Canary apps/new:");
    CanaryStatusView.Section extra = new CanaryStatusView.Section() {
      @Override
      public String title(Canary canary) {
        return "Analysis";
      }

      @Override
      public List<String> lines(Canary canary) {
        return List.of("request-success-rate   99.9%");
      }
    };
    assertThat(new CanaryStatusView(List.of(extra)).details(fresh)).isEqualTo("""
        Analysis:
          request-success-rate   99.9%
        """);
  }
}
