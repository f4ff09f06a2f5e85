package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.Canary;
import org.junit.jupiter.api.Test;

/** What a user is told when a Canary cannot be routed with Gateway API. */
class GatewayApiRouterValidationTest {
  private final GatewayApiRouter router = GatewayApiRouter.v1();

  private static Canary canary(String service, String analysis) {
    return Manifests.canary("gatewayapi:v1", service, analysis);
  }

  @Test
  void aCompleteCanaryIsValid() {
    Canary canary = canary("""
        port: 9898
        gatewayRefs: [{name: public, namespace: gateway}]
        match: [{uri: {prefix: /api}, headers: {x-tenant: {exact: acme}}}]
        rewrite: {uri: /, type: ReplacePrefixMatch}
        timeout: 30s
        backendTimeout: 500ms
        """, """
        iterations: 10
        match: [{headers: {x-canary: {regex: ".*insider.*"}}}]
        """);

    assertThat(router.validate(canary)).isEmpty();
  }

  @Test
  void gatewayRefsAreRequired() {
    assertThat(router.validate(canary("port: 9898", "{stepWeight: 10}")))
        .containsExactly("spec.service.gatewayRefs is required for provider gatewayapi:v1");
    assertThat(GatewayApiRouter.v1beta1().validate(canary("port: 9898", "{stepWeight: 10}")))
        .containsExactly("spec.service.gatewayRefs is required for provider gatewayapi:v1beta1");
    assertThat(router.validate(canary("{port: 9898, gatewayRefs: [{namespace: gateway}]}", "{stepWeight: 10}")))
        .containsExactly("spec.service.gatewayRefs[0].name is required");
  }

  @Test
  void servicePortIsRequired() {
    assertThat(router.validate(canary("gatewayRefs: [{name: public}]", "{stepWeight: 10}")))
        .containsExactly("spec.service.port is required");
  }

  @Test
  void matchesGatewayApiCannotExpressAreRejected() {
    Canary canary = canary("""
        port: 9898
        gatewayRefs: [{name: public}]
        match:
        - uri: {suffix: .json}
        - method: {regex: "GET|HEAD"}
        - headers: {x-tenant: {prefix: ac}}
          queryParams: {v: {suffix: "2"}}
        """, "{stepWeight: 10}");

    assertThat(router.validate(canary)).containsExactly(
        "spec.service.match[0].uri: Gateway API supports only exact, prefix and regex path matches",
        "spec.service.match[1].method: Gateway API supports only exact method matches",
        "spec.service.match[2].headers.x-tenant: Gateway API supports only exact and regex matches",
        "spec.service.match[2].queryParams.v: Gateway API supports only exact and regex matches");
  }

  /** Flagger silently ignores these; the A/B rule would then send every request to the canary. */
  @Test
  void abTestingMatchesMustSelectRequestsByHeaderOrQuery() {
    Canary canary = canary("{port: 9898, gatewayRefs: [{name: public}]}", """
        iterations: 10
        match:
        - sourceLabels: {app: frontend}
        - headers: {x-canary: {prefix: insider}}
        - uri: {prefix: /beta}
        """);

    assertThat(router.validate(canary)).containsExactly(
        "spec.analysis.match[0]: Gateway API A/B testing routes on headers and queryParams, and this entry has neither,"
            + " so every request would reach the canary",
        "spec.analysis.match[1].headers.x-canary: Gateway API supports only exact and regex matches",
        "spec.analysis.match[2]: Gateway API A/B testing routes on headers and queryParams, and this entry has neither,"
            + " so every request would reach the canary");
  }

  @Test
  void rewriteTypeAndTimeoutsMustBeGatewayApiValues() {
    Canary canary = canary("""
        port: 9898
        gatewayRefs: [{name: public}]
        rewrite: {uri: /, type: ReplaceRegex}
        timeout: 1.5s
        backendTimeout: 10
        """, "{stepWeight: 10}");

    assertThat(router.validate(canary)).containsExactly(
        "spec.service.rewrite.type must be ReplacePrefixMatch or ReplaceFullPath, got ReplaceRegex",
        "spec.service.timeout must be a Gateway API duration such as 30s, 1m or 500ms, got 1.5s",
        "spec.service.backendTimeout must be a Gateway API duration such as 30s, 1m or 500ms, got 10");
  }

  @Test
  void aPrefixRewriteNeedsExactlyOnePathPrefixMatchPerRule() {
    String message = "spec.service.rewrite.type ReplacePrefixMatch needs exactly one path prefix match per HTTPRoute"
        + " rule: at most one spec.service.match entry, matching uri.prefix, and at most one spec.analysis.match entry";

    assertThat(router.validate(canary("""
        port: 9898
        gatewayRefs: [{name: public}]
        match: [{uri: {prefix: /api}}, {uri: {prefix: /v2}}]
        rewrite: {uri: /, type: ReplacePrefixMatch}
        """, "{stepWeight: 10}"))).containsExactly(message);
    assertThat(router.validate(canary("""
        port: 9898
        gatewayRefs: [{name: public}]
        match: [{uri: {exact: /api}}]
        rewrite: {uri: /, type: ReplacePrefixMatch}
        """, "{stepWeight: 10}"))).containsExactly(message);
    assertThat(router.validate(canary("""
        port: 9898
        gatewayRefs: [{name: public}]
        rewrite: {uri: /, type: ReplacePrefixMatch}
        """, """
        iterations: 10
        match: [{headers: {x-a: {exact: "1"}}}, {headers: {x-b: {exact: "1"}}}]
        """))).containsExactly(message);
    assertThat(router.validate(canary("""
        port: 9898
        gatewayRefs: [{name: public}]
        rewrite: {uri: /, type: ReplacePrefixMatch}
        """, "{iterations: 10, match: [{headers: {x-a: {exact: \"1\"}}}]}"))).isEmpty();
  }

  @Test
  void corsOriginsGatewayApiCannotMatchAreRejected() {
    Canary canary = canary("""
        port: 9898
        gatewayRefs: [{name: public}]
        corsPolicy:
          allowOrigins: [{exact: https://example.com}, {regex: ".*\\\\.example\\\\.com"}, {prefix: https://app.}]
          maxAge: a day
        """, "{stepWeight: 10}");

    assertThat(router.validate(canary)).containsExactly(
        "spec.service.corsPolicy.allowOrigins[1]: Gateway API CORS origins are exact values (wildcards like"
            + " https://*.example.com allowed); prefix and regex matches are not supported",
        "spec.service.corsPolicy.allowOrigins[2]: Gateway API CORS origins are exact values (wildcards like"
            + " https://*.example.com allowed); prefix and regex matches are not supported",
        "spec.service.corsPolicy.maxAge: must be a duration such as 24h or 600s, got a day");
  }

  @Test
  void sessionAffinityNeedsTwoDifferentCookieNamesAndWeightedRouting() {
    Canary canary = canary("{port: 9898, gatewayRefs: [{name: public}]}", """
        iterations: 5
        match: [{headers: {x-canary: {exact: insider}}}]
        sessionAffinity: {cookieName: flagger-cookie, primaryCookieName: flagger-cookie}
        """);

    assertThat(router.validate(canary)).containsExactly(
        "spec.analysis.sessionAffinity: cookieName and primaryCookieName must differ, both are flagger-cookie",
        "spec.analysis.sessionAffinity applies to weighted canary releases and cannot be combined with"
            + " spec.analysis.match (A/B testing)");
    assertThat(router.validate(canary("{port: 9898, gatewayRefs: [{name: public}]}", """
        stepWeight: 10
        sessionAffinity: {cookieName: flagger-cookie, maxAge: 21600}
        """))).isEmpty();
  }

  @Test
  void anInvalidCanaryGetsNoRoute() {
    Canary canary = canary("port: 9898", "{stepWeight: 10}");

    assertThatThrownBy(() -> router.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Canary test/podinfo is not valid for provider gatewayapi:v1:"
            + " spec.service.gatewayRefs is required for provider gatewayapi:v1");
  }
}
