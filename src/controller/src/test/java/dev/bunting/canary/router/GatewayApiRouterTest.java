package dev.bunting.canary.router;

import static dev.bunting.canary.router.Manifests.assertYaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden tests: the HTTPRoute a user sees for Flagger-style Canaries, written from Flagger 1.44's
 * {@code gateway_api.go} and {@code gateway_api_test.go}.
 */
class GatewayApiRouterTest {
  static final String METADATA = """
      metadata: {name: podinfo, namespace: test, uid: 6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1}
      """;

  static final String ROUTE_METADATA = """
      metadata:
        name: podinfo
        namespace: test
        annotations:
          helm.toolkit.fluxcd.io/driftDetection: disabled
          kustomize.toolkit.fluxcd.io/reconcile: disabled
        ownerReferences:
        - {apiVersion: flagger.app/v1beta1, kind: Canary, name: podinfo, uid: 6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1,
           controller: true, blockOwnerDeletion: true}
      """;

  /** Flagger's Gateway API tutorial: progressive traffic shifting with {@code stepWeight}. */
  static final String STEP_WEIGHT_CANARY = """
      apiVersion: flagger.app/v1beta1
      kind: Canary
      """ + METADATA + """
      spec:
        provider: gatewayapi:v1
        targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
        progressDeadlineSeconds: 60
        service:
          port: 9898
          targetPort: 9898
          hosts: [www.example.com]
          gatewayRefs:
          - name: gateway
            namespace: istio-ingress
        analysis:
          interval: 1m
          threshold: 5
          maxWeight: 50
          stepWeight: 10
          metrics:
          - {name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}
      """;

  private final GatewayApiRouter router = GatewayApiRouter.v1();

  static HasMetadata only(List<HasMetadata> objects) {
    assertThat(objects).hasSize(1);
    return objects.get(0);
  }

  @Test
  void canaryWithStepWeightSplitsTrafficBetweenPrimaryAndCanary() {
    HasMetadata route = only(router.desiredObjects(Manifests.canary(STEP_WEIGHT_CANARY), Weights.canary(10), CachedObjects.none()));

    assertYaml(route, """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        """ + ROUTE_METADATA + """
        spec:
          parentRefs:
          - {group: gateway.networking.k8s.io, kind: Gateway, namespace: istio-ingress, name: gateway}
          hostnames: [www.example.com]
          rules:
          - matches:
            - path: {type: PathPrefix, value: /}
            backendRefs:
            - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 90}
            - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 10}
        """);
  }

  @Test
  void initialRouteSendsEverythingToThePrimary() {
    HasMetadata route = only(router.desiredObjects(Manifests.canary(STEP_WEIGHT_CANARY), Weights.ALL_PRIMARY, CachedObjects.none()));

    assertYaml(field(route, "spec", "rules", 0, "backendRefs"), """
        - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 100}
        - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 0}
        """);
  }

  @Test
  void stepWeightsCanaryCarriesServiceMatchRewriteHeadersTimeoutsAndApexMetadata() {
    Canary canary = Manifests.canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        """ + METADATA + """
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 80
            targetPort: 9898
            hosts: [app.example.com]
            gatewayRefs:
            - {name: public, namespace: gateway, sectionName: https}
            match:
            - uri: {prefix: /api}
              method: {exact: GET}
            - uri: {regex: "^/v[0-9]+/.*"}
              headers: {x-tenant: {exact: acme}, x-env: {regex: "prod|staging"}}
              queryParams: {debug: {regex: "^(1|true)$"}}
            rewrite: {uri: /podinfo, authority: podinfo.internal}
            headers:
              request:
                set: {X-Forwarded-Proto: https}
                add: {x-b: b, x-a: a}
                remove: [x-debug]
              response:
                remove: [server]
            timeout: 30s
            backendTimeout: 10s
            apex:
              labels: {team: web}
              annotations: {owner: web}
          analysis:
            interval: 30s
            threshold: 3
            stepWeights: [5, 10, 80]
        """);

    HasMetadata route = only(router.desiredObjects(canary, Weights.canary(5), CachedObjects.none()));

    assertYaml(route, """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: podinfo
          namespace: test
          labels: {team: web}
          annotations:
            helm.toolkit.fluxcd.io/driftDetection: disabled
            kustomize.toolkit.fluxcd.io/reconcile: disabled
            owner: web
          ownerReferences:
          - {apiVersion: flagger.app/v1beta1, kind: Canary, name: podinfo, uid: 6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1,
             controller: true, blockOwnerDeletion: true}
        spec:
          parentRefs:
          - {group: gateway.networking.k8s.io, kind: Gateway, namespace: gateway, name: public, sectionName: https}
          hostnames: [app.example.com]
          rules:
          - matches:
            - path: {type: PathPrefix, value: /api}
              method: GET
            - path: {type: RegularExpression, value: "^/v[0-9]+/.*"}
              headers:
              - {name: x-env, type: RegularExpression, value: "prod|staging"}
              - {name: x-tenant, type: Exact, value: acme}
              queryParams:
              - {name: debug, type: RegularExpression, value: "^(1|true)$"}
            filters:
            - type: RequestHeaderModifier
              requestHeaderModifier:
                add:
                - {name: x-a, value: a}
                - {name: x-b, value: b}
                set:
                - {name: X-Forwarded-Proto, value: https}
                remove: [x-debug]
            - type: ResponseHeaderModifier
              responseHeaderModifier:
                remove: [server]
            - type: URLRewrite
              urlRewrite:
                hostname: podinfo.internal
                path: {type: ReplaceFullPath, replaceFullPath: /podinfo}
            backendRefs:
            - {group: "", kind: Service, name: podinfo-primary, port: 80, weight: 95}
            - {group: "", kind: Service, name: podinfo-canary, port: 80, weight: 5}
            timeouts: {request: 30s, backendRequest: 10s}
        """);
  }

  @Test
  void prefixRewriteReplacesTheMatchedPrefix() {
    Canary canary = Manifests.canary("gatewayapi:v1", """
        port: 9898
        gatewayRefs: [{name: gateway}]
        match: [{uri: {prefix: /podinfo}}]
        rewrite: {uri: /, type: ReplacePrefixMatch}
        """, "{stepWeight: 10}");

    HasMetadata route = only(router.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none()));

    assertYaml(field(route, "spec", "rules", 0, "matches"), """
        - path: {type: PathPrefix, value: /podinfo}
        """);
    assertYaml(field(route, "spec", "rules", 0, "filters"), """
        - type: URLRewrite
          urlRewrite:
            path: {type: ReplacePrefixMatch, replacePrefixMatch: /}
        """);
  }

  @Test
  void rewriteWithoutTypeReplacesTheFullPath() {
    Canary canary = Manifests.canary("gatewayapi:v1", """
        port: 9898
        gatewayRefs: [{name: gateway}]
        rewrite: {uri: /podinfo}
        """, "{stepWeight: 10}");

    HasMetadata route = only(router.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none()));

    assertYaml(field(route, "spec", "rules", 0, "filters"), """
        - type: URLRewrite
          urlRewrite:
            path: {type: ReplaceFullPath, replaceFullPath: /podinfo}
        """);
  }

  /** Flagger's A/B testing tutorial: header and cookie matches, ten iterations, all matched traffic on the canary. */
  @Test
  void abTestingRoutesMatchedRequestsByWeightAndTheRestToThePrimary() {
    Canary canary = Manifests.canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        """ + METADATA + """
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 9898
            hosts: [www.example.com]
            gatewayRefs: [{name: gateway, namespace: istio-ingress}]
            timeout: 15s
          analysis:
            interval: 1m
            threshold: 2
            iterations: 10
            match:
            - headers:
                x-canary: {regex: ".*insider.*"}
            - headers:
                cookie: {regex: "^(.*?;)?(canary=always)(;.*)?$"}
        """);

    HasMetadata route = only(router.desiredObjects(canary, Weights.ALL_CANARY, CachedObjects.none()));

    assertYaml(route, """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        """ + ROUTE_METADATA + """
        spec:
          parentRefs:
          - {group: gateway.networking.k8s.io, kind: Gateway, namespace: istio-ingress, name: gateway}
          hostnames: [www.example.com]
          rules:
          - matches:
            - path: {type: PathPrefix, value: /}
              headers:
              - {name: x-canary, type: RegularExpression, value: ".*insider.*"}
            - path: {type: PathPrefix, value: /}
              headers:
              - {name: cookie, type: RegularExpression, value: "^(.*?;)?(canary=always)(;.*)?$"}
            backendRefs:
            - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 0}
            - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 100}
            timeouts: {request: 15s}
          - matches:
            - path: {type: PathPrefix, value: /}
            backendRefs:
            - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 100}
            timeouts: {request: 15s}
        """);
  }

  @Test
  void abTestingMergesAnalysisHeadersIntoEachServiceMatch() {
    Canary canary = Manifests.canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        """ + METADATA + """
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 9898
            gatewayRefs: [{name: gateway}]
            match:
            - uri: {prefix: /api}
              headers: {x-tenant: {exact: acme}}
            - uri: {exact: /health}
          analysis:
            iterations: 5
            match:
            - headers: {x-canary: {exact: insider}}
              queryParams: {canary: {exact: "1"}}
        """);

    HasMetadata route = only(router.desiredObjects(canary, Weights.ALL_CANARY, CachedObjects.none()));

    assertYaml(field(route, "spec", "rules"), """
        - matches:
          - path: {type: PathPrefix, value: /api}
            headers: [{name: x-canary, type: Exact, value: insider}]
            queryParams: [{name: canary, type: Exact, value: "1"}]
          - path: {type: Exact, value: /health}
            headers: [{name: x-canary, type: Exact, value: insider}]
            queryParams: [{name: canary, type: Exact, value: "1"}]
          backendRefs:
          - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 0}
          - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 100}
        - matches:
          - path: {type: PathPrefix, value: /api}
            headers: [{name: x-tenant, type: Exact, value: acme}]
          - path: {type: Exact, value: /health}
          backendRefs:
          - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 100}
        """);
  }

  /** Flagger's blue/green mirroring: while iterating, every request is copied to the canary. */
  @Test
  void blueGreenMirroringAddsARequestMirrorToTheCanary() {
    Canary canary = Manifests.canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        """ + METADATA + """
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 9898
            gatewayRefs: [{name: gateway, namespace: istio-ingress}]
            headers:
              response:
                set: {x-served-by: podinfo}
          analysis:
            interval: 1m
            threshold: 2
            iterations: 10
            mirror: true
        """);

    HasMetadata route = only(router.desiredObjects(canary, new Weights(100, 0, true), CachedObjects.none()));

    assertYaml(field(route, "spec", "rules"), """
        - matches:
          - path: {type: PathPrefix, value: /}
          filters:
          - type: ResponseHeaderModifier
            responseHeaderModifier:
              set: [{name: x-served-by, value: podinfo}]
          - type: RequestMirror
            requestMirror:
              backendRef: {group: "", kind: Service, name: podinfo-canary, port: 9898}
          backendRefs:
          - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 100}
          - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 0}
        """);
  }

  @Test
  void withoutMirroringThereIsNoMirrorFilter() {
    Canary canary = Manifests.canary(STEP_WEIGHT_CANARY);

    HasMetadata route = only(router.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none()));

    assertThat(field(route, "spec", "rules", 0, "filters")).isNull();
  }

  @Test
  void staticMirrorsAndCorsPolicyBecomeRuleFilters() {
    Canary canary = Manifests.canary("gatewayapi:v1", """
        port: 9898
        gatewayRefs: [{name: gateway}]
        mirror:
        - backendRef: {name: podinfo-shadow, port: 9898}
        corsPolicy:
          allowOrigin: [https://example.com]
          allowOrigins: [{exact: https://app.example.com}]
          allowMethods: [GET, POST]
          allowHeaders: [Content-Type, Authorization]
          exposeHeaders: [X-Custom-Header]
          allowCredentials: true
          maxAge: 24h
        """, "{stepWeight: 10}");

    HasMetadata route = only(router.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none()));

    assertYaml(field(route, "spec", "rules", 0, "filters"), """
        - type: RequestMirror
          requestMirror:
            backendRef: {name: podinfo-shadow, port: 9898}
        - type: CORS
          cors:
            allowOrigins: [https://example.com, https://app.example.com]
            allowMethods: [GET, POST]
            allowHeaders: [Content-Type, Authorization]
            exposeHeaders: [X-Custom-Header]
            allowCredentials: true
            maxAge: 86400
        """);
  }

  /** Linkerd's setup: {@code gatewayapi:v1beta1} with the Service as parent. */
  @Test
  void v1beta1ProviderWritesV1beta1HttpRoutes() {
    Canary canary = Manifests.canary("gatewayapi:v1beta1", """
        port: 9898
        gatewayRefs: [{name: podinfo, group: core, kind: Service, port: 9898}]
        """, "{stepWeight: 10}");
    GatewayApiRouter v1beta1 = GatewayApiRouter.v1beta1();

    HasMetadata route = only(v1beta1.desiredObjects(canary, Weights.canary(20), CachedObjects.none()));

    assertThat(v1beta1.provider()).isEqualTo("gatewayapi:v1beta1");
    assertThat(route.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1beta1");
    assertYaml(field(route, "spec", "parentRefs"), """
        - {group: core, kind: Service, name: podinfo, port: 9898}
        """);
    assertYaml(field(route, "spec", "rules", 0, "backendRefs"), """
        - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 80}
        - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 20}
        """);
    assertThat(v1beta1.kinds()).singleElement().satisfies(r -> {
      assertThat(r.getGroup()).isEqualTo("gateway.networking.k8s.io");
      assertThat(r.getVersion()).isEqualTo("v1beta1");
      assertThat(r.getKind()).isEqualTo("HTTPRoute");
      assertThat(r.getPlural()).isEqualTo("httproutes");
    });
  }

  @Test
  void routeIsNamedAfterTheApexService() {
    Canary canary = Manifests.canary("gatewayapi:v1", """
        name: frontend
        port: 9898
        gatewayRefs: [{name: gateway}]
        """, "{stepWeight: 10}");

    HasMetadata route = only(router.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none()));

    assertThat(router.objects(canary)).extracting(RoutedObject::name).containsExactly("frontend");
    assertThat(route.getMetadata().getName()).isEqualTo("frontend");
    assertYaml(field(route, "spec", "rules", 0, "backendRefs"), """
        - {group: "", kind: Service, name: frontend-primary, port: 9898, weight: 100}
        - {group: "", kind: Service, name: frontend-canary, port: 9898, weight: 0}
        """);
  }

  /** A field of the object as the API server would receive it. */
  static Object field(HasMetadata object, Object... path) {
    return Manifests.resource(Serialization.asYaml(object)).get(path);
  }
}
