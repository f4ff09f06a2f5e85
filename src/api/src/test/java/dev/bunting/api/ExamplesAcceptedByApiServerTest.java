package dev.bunting.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.testing.KubectlResult;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.Manifests;
import dev.bunting.testing.ProjectFiles;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every manifest in {@code examples/} is accepted by a real API server with our CRDs (server-side apply, strict field
 * validation, not a dry run), is stored as written (nothing pruned), and {@code kubectl get canaries} shows Flagger's
 * printer columns.
 */
@LocalCluster(thirdPartyCrds = {ThirdPartyCrds.GATEWAY_API, ThirdPartyCrds.TRAEFIK, ThirdPartyCrds.CONTOUR,
    ThirdPartyCrds.APISIX, ThirdPartyCrds.KEDA, ThirdPartyCrds.KNATIVE})
class ExamplesAcceptedByApiServerTest {
  private static final Path EXAMPLES = ProjectFiles.resolve("examples");

  TestCluster cluster;
  KubernetesClient client;

  static Stream<Path> exampleDirs() throws IOException {
    try (Stream<Path> dirs = Files.list(EXAMPLES)) {
      // examples/gitsync holds GitSync manifests (no Canary); GitSyncCrdClusterTest checks those. Gloo's CRDs cannot
      // be had here (the Go module proxy refuses github.com/solo-io/gloo), so examples/gloo-canary cannot be applied.
      // examples/metric-providers holds MetricTemplates and Secrets only (no Canary).
      return dirs.filter(Files::isDirectory)
          .filter(d -> !List.of("gitsync", "gloo-canary", "metric-providers").contains(d.getFileName().toString()))
          .sorted()
          .toList().stream();
    }
  }

  @Test
  void examplesCoverTheDocumentedScenarios() throws IOException {
    assertThat(exampleDirs().map(p -> p.getFileName().toString())).contains("kubernetes-blue-green",
        "gatewayapi-canary", "gatewayapi-step-weights", "gatewayapi-ab-testing", "metric-template-and-alerts",
        "linkerd-canary", "smi-canary", "traefik-canary", "kuma-canary", "nginx-ab-testing", "skipper-canary",
        "contour-canary", "apisix-canary", "daemonset-blue-green", "statefulset-canary", "keda-scaledobject",
        "knative-canary");
    assertThat(Files.readString(EXAMPLES.resolve("README.md"))).contains("kubernetes-blue-green",
        "gatewayapi-canary", "gatewayapi-step-weights", "gatewayapi-ab-testing", "metric-template-and-alerts",
        "linkerd-canary", "smi-canary", "traefik-canary", "kuma-canary", "nginx-ab-testing", "skipper-canary",
        "contour-canary", "gloo-canary", "apisix-canary", "daemonset-blue-green", "statefulset-canary",
        "keda-scaledobject", "knative-canary");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exampleDirs")
  void everyManifestIsAcceptedAndStoredAsWritten(Path dir) {
    List<Path> files = Manifests.yamlFiles(dir);
    assertThat(files).as("manifests in %s", dir).isNotEmpty();
    String namespace = cluster.createNamespace(dir.getFileName().toString());

    List<String> kinds = new ArrayList<>();
    for (Path file : files) {
      List<JsonNode> written = Manifests.documents(file);
      List<HasMetadata> stored = cluster.applyIn(namespace, Manifests.read(file));
      assertThat(stored).as("objects applied from %s", file).hasSize(written.size());
      for (int i = 0; i < written.size(); i++) {
        HasMetadata object = stored.get(i);
        kinds.add(object.getKind());
        JsonNode expected = expectedAsStored(written.get(i));
        JsonNode actual = client.getKubernetesSerialization().convertValue(fetch(object), JsonNode.class);
        List<String> lost = new ArrayList<>();
        collectMissing("", expected, actual, lost);
        assertThat(lost).as("%s %s from %s: fields the API server did not keep", object.getKind(),
            object.getMetadata().getName(), file.getFileName()).isEmpty();
      }
    }
    assertThat(kinds).as("every example has a Canary and its target (a Deployment, DaemonSet, StatefulSet or Service)")
        .contains("Canary").containsAnyOf("Deployment", "DaemonSet", "StatefulSet", "Service");
  }

  @Test
  void kubectlShowsFlaggersPrinterColumns() {
    String namespace = cluster.createNamespace("columns");
    Path example = EXAMPLES.resolve("gatewayapi-canary");
    Manifests.yamlFiles(example).forEach(f -> cluster.applyIn(namespace, Manifests.read(f)));

    KubectlResult fresh = cluster.kubectl("get", "canaries", "-n", namespace).assertSuccess();
    assertThat(fresh.header()).containsExactly("NAME", "STATUS", "WEIGHT", "LASTTRANSITIONTIME");
    assertThat(fresh.rows()).singleElement().satisfies(row -> assertThat(row).containsEntry("NAME", "podinfo")
        .containsEntry("STATUS", "").containsEntry("WEIGHT", ""));

    // what a controller writes through the status subresource, including Bunting's additions
    canaryStatus(namespace).patch(PatchContext.of(PatchType.JSON_MERGE), """
        {"status": {
          "phase": "Progressing", "canaryWeight": 20, "failedChecks": 1, "iterations": 0,
          "lastTransitionTime": "2026-01-02T03:04:05Z", "observedGeneration": 1,
          "conditions": [
            {"type": "Promoted", "status": "Unknown", "reason": "Progressing",
             "message": "New revision detected, progressing canary analysis.",
             "lastTransitionTime": "2026-01-02T03:00:00Z", "lastUpdateTime": "2026-01-02T03:04:05Z"},
            {"type": "Ready", "status": "False", "reason": "Progressing", "message": "Analysis in progress",
             "lastTransitionTime": "2026-01-02T03:00:00Z", "observedGeneration": 1},
            {"type": "Reconciling", "status": "True", "reason": "Progressing", "message": "Analysis in progress",
             "lastTransitionTime": "2026-01-02T03:00:00Z", "observedGeneration": 1}
          ],
          "analysis": {"startedAt": "2026-01-02T03:00:00Z", "evaluatedAt": "2026-01-02T03:04:05Z", "result": "Failed",
            "message": "Halt podinfo.test advancement latency canary higher than primary", "metrics": [
              {"name": "request-success-rate", "result": "Passed", "value": 99.5, "range": ">= 99", "window": "20s",
               "requests": 412, "query": "sum(...)", "message": "99.5% within >= 99 over 20s"},
              {"name": "latency", "result": "Failed", "window": "samples every 5s since 2026-01-02T03:00:00Z",
               "canary": {"count": 6, "median": 26, "mean": 26.1}, "primary": {"count": 6, "median": 20, "mean": 20.1},
               "comparison": "mean 1.30x primary (26.1 vs 20.1), p=0.0025 < 0.01, higher is worse, tolerance 10%"}]}
          }}""");
    Canary patched = client.resources(Canary.class).inNamespace(namespace).withName("podinfo").get();
    assertThat(patched.getStatus().analysis.metrics).as("status.analysis is kept, nothing pruned")
        .extracting(m -> m.name + " " + m.result + " " + m.window).containsExactly(
            "request-success-rate Passed 20s", "latency Failed samples every 5s since 2026-01-02T03:00:00Z");
    assertThat(patched.getStatus().analysis.metrics.get(1).canary.median).isEqualTo(26.0);
    assertThat(patched.getStatus().analysis.metrics.get(0).requests).isEqualTo(412.0);

    KubectlResult table = cluster.kubectl("get", "canaries", "-n", namespace).assertSuccess();
    assertThat(table.rows()).containsExactly(Map.of("NAME", "podinfo", "STATUS", "Progressing", "WEIGHT", "20",
        "LASTTRANSITIONTIME", "2026-01-02T03:04:05Z"));

    KubectlResult wide = cluster.kubectl("get", "canaries", "-n", namespace, "-o", "wide").assertSuccess();
    assertThat(wide.header()).containsExactly("NAME", "STATUS", "WEIGHT", "SUSPENDED", "FAILEDCHECKS", "INTERVAL",
        "MIRROR", "STEPWEIGHT", "STEPWEIGHTS", "MAXWEIGHT", "LASTTRANSITIONTIME");
    // suspend, mirror and stepWeights are not set in this example: empty cells
    Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put("NAME", "podinfo");
    expected.put("STATUS", "Progressing");
    expected.put("WEIGHT", "20");
    expected.put("SUSPENDED", "");
    expected.put("FAILEDCHECKS", "1");
    expected.put("INTERVAL", "1m");
    expected.put("MIRROR", "");
    expected.put("STEPWEIGHT", "10");
    expected.put("STEPWEIGHTS", "");
    expected.put("MAXWEIGHT", "50");
    expected.put("LASTTRANSITIONTIME", "2026-01-02T03:04:05Z");
    assertThat(wide.rows()).containsExactly(expected);

    GenericKubernetesResource stored = client.genericKubernetesResources("flagger.app/v1beta1", "Canary")
        .inNamespace(namespace).withName("podinfo").get();
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) stored.getAdditionalProperties().get("status");
    assertThat(status).as("Bunting's status additions are kept").containsEntry("observedGeneration", 1);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> conditions = (List<Map<String, Object>>) status.get("conditions");
    assertThat(conditions).extracting(c -> c.get("type")).containsExactly("Promoted", "Ready", "Reconciling");
    assertThat(conditions.get(1)).containsEntry("observedGeneration", 1);
  }

  @Test
  void kubectlWaitsForTheDocumentedConditions() {
    String namespace = cluster.createNamespace("wait");
    Manifests.yamlFiles(EXAMPLES.resolve("kubernetes-blue-green"))
        .forEach(f -> cluster.applyIn(namespace, Manifests.read(f)));

    KubectlResult notYet = cluster.kubectl("wait", "canary/podinfo", "-n", namespace, "--for=condition=Promoted",
        "--timeout=1s");
    assertThat(notYet.exitCode()).as("no Promoted condition yet").isNotZero();

    canaryStatus(namespace).patch(PatchContext.of(PatchType.JSON_MERGE), """
        {"status": {"phase": "Succeeded", "observedGeneration": 1, "conditions": [
          {"type": "Promoted", "status": "True", "reason": "Succeeded",
           "message": "Canary analysis completed successfully, promotion finished."},
          {"type": "Ready", "status": "True", "reason": "Succeeded", "message": "Promotion finished",
           "observedGeneration": 1}]}}""");

    // Flagger's documented CI wait, and the kstatus one Bunting adds
    cluster.kubectl("wait", "canary/podinfo", "-n", namespace, "--for=condition=promoted", "--timeout=20s")
        .assertSuccess();
    cluster.kubectl("wait", "canary/podinfo", "-n", namespace, "--for=condition=Ready", "--timeout=20s")
        .assertSuccess();
  }

  // ---------------------------------------------------------------------------------------------

  private io.fabric8.kubernetes.client.dsl.EditReplacePatchable<GenericKubernetesResource> canaryStatus(
      String namespace) {
    return client.genericKubernetesResources("flagger.app/v1beta1", "Canary").inNamespace(namespace)
        .withName("podinfo").subresource("status");
  }

  private GenericKubernetesResource fetch(HasMetadata object) {
    return client.genericKubernetesResources(object.getApiVersion(), object.getKind())
        .inNamespace(object.getMetadata().getNamespace()).withName(object.getMetadata().getName()).get();
  }

  /** The manifest as the API server keeps it: a Secret's stringData is stored base64-encoded in data. */
  private static JsonNode expectedAsStored(JsonNode manifest) {
    ObjectNode copy = manifest.deepCopy();
    if ("Secret".equals(copy.path("kind").asText()) && copy.has("stringData")) {
      ObjectNode data = copy.withObject("/data");
      copy.get("stringData").fields().forEachRemaining(e -> data.put(e.getKey(),
          Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
      copy.remove("stringData");
    }
    return copy;
  }

  /** Every value of {@code expected} must be in {@code actual} (the server may add defaults, never drop). */
  private static void collectMissing(String path, JsonNode expected, JsonNode actual, List<String> lost) {
    if (actual == null || actual.isMissingNode() || actual.isNull()) {
      lost.add(path + " = " + expected);
    } else if (expected.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = expected.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        collectMissing(path + "." + field.getKey(), field.getValue(), actual.get(field.getKey()), lost);
      }
    } else if (expected.isArray()) {
      if (!actual.isArray() || actual.size() != expected.size()) {
        lost.add(path + " = " + expected + " (stored " + actual + ")");
        return;
      }
      for (int i = 0; i < expected.size(); i++) {
        collectMissing(path + "[" + i + "]", expected.get(i), actual.get(i), lost);
      }
    } else if (expected.isNumber() && actual.isNumber()) {
      if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
        lost.add(path + " = " + expected + " (stored " + actual + ")");
      }
    } else if (!expected.equals(actual)) {
      lost.add(path + " = " + expected + " (stored " + actual + ")");
    }
  }
}
