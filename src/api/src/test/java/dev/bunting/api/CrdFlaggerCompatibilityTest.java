package dev.bunting.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.testing.Manifests;
import dev.bunting.testing.ProjectFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our CRDs ({@code crds/}) accept exactly what Flagger 1.44's CRDs accept, plus Bunting's optional additions: the same
 * names, scope, printer columns and subresources; the same schema node for node (types, enums, patterns, formats,
 * defaults, bounds, oneOf rules, CEL rules), no required field Flagger does not require, and new properties and
 * enum values only where Bunting adds them. The reference is Flagger's own {@code artifacts/flagger/crd.yaml} at
 * v1.44.0, kept
 * unmodified as a test resource.
 */
class CrdFlaggerCompatibilityTest {

  private static final Path FLAGGER_CRDS = ProjectFiles.resolve("src/api/src/test/resources/flagger/crd-v1.44.0.yaml");

  /**
   * Properties ({@code path}) and enum values ({@code path=value}) Bunting adds to Flagger's schemas, all optional:
   * status fields, the analysis settings of docs/analysis.md, the target kind StatefulSet, the alert provider type
   * generic. An enum may only grow: Bunting accepts every value Flagger accepts.
   */
  private static final Map<String, Set<String>> BUNTING_ADDITIONS = Map.of(
      "canaries.flagger.app", Set.of(
          "spec.targetRef.kind=StatefulSet",
          "status.observedGeneration",
          "status.conditions[].observedGeneration",
          "status.lastTrackedRevision",
          "status.analysis",
          "spec.analysis.window",
          "spec.analysis.score",
          "spec.analysis.metrics[].compare",
          "spec.analysis.metrics[].direction",
          "spec.analysis.metrics[].tolerance",
          "spec.analysis.metrics[].confidence",
          "spec.analysis.metrics[].minSamples",
          "spec.analysis.metrics[].minRequests",
          "spec.analysis.metrics[].noData",
          "spec.analysis.metrics[].group",
          "status.lastAction",
          "status.gitRevision"),
      "metrictemplates.flagger.app", Set.of("status"),
      "alertproviders.flagger.app", Set.of("status", "spec.type=generic"));

  static Stream<String> crdNames() {
    return BUNTING_ADDITIONS.keySet().stream().sorted();
  }

  private static Map<String, JsonNode> byName(List<JsonNode> docs) {
    Map<String, JsonNode> map = new LinkedHashMap<>();
    docs.forEach(d -> map.put(d.path("metadata").path("name").asText(), d));
    return map;
  }

  private static JsonNode flagger(String name) {
    JsonNode crd = byName(Manifests.documents(FLAGGER_CRDS)).get(name);
    assertThat(crd).as("Flagger CRD %s", name).isNotNull();
    return crd;
  }

  private static JsonNode ours(String name) {
    Path file = ProjectFiles.resolve("crds/" + name.replaceFirst("^([a-z]+)\\.(.*)$", "$2_$1") + ".yaml");
    List<JsonNode> docs = Manifests.documents(file);
    assertThat(docs).as("documents in %s", file).hasSize(1);
    assertThat(docs.get(0).path("metadata").path("name").asText()).isEqualTo(name);
    return docs.get(0);
  }

  @Test
  void everyFlaggerCrdHasOneFileHere() {
    assertThat(byName(Manifests.documents(FLAGGER_CRDS)).keySet()).containsExactlyInAnyOrderElementsOf(
        BUNTING_ADDITIONS.keySet());
    // crds/ also holds Bunting's own API (bunting.dev_*.yaml, e.g. GitSync); the flagger.app files are exactly three
    assertThat(Manifests.yamlFiles(ProjectFiles.resolve("crds")))
        .extracting(p -> p.getFileName().toString())
        .filteredOn(f -> f.startsWith("flagger.app_"))
        .containsExactlyInAnyOrder("flagger.app_canaries.yaml", "flagger.app_metrictemplates.yaml",
            "flagger.app_alertproviders.yaml");
  }

  @ParameterizedTest
  @MethodSource("crdNames")
  void namesScopeAndAnnotationsAreFlaggers(String name) {
    JsonNode theirs = flagger(name);
    JsonNode ours = ours(name);
    assertThat(ours.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
    assertThat(ours.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
    assertThat(ours.at("/spec/group")).isEqualTo(theirs.at("/spec/group"));
    assertThat(ours.at("/spec/names")).isEqualTo(theirs.at("/spec/names"));
    assertThat(ours.at("/spec/names/categories").toString()).isEqualTo("[\"all\"]");
    assertThat(ours.at("/spec/scope")).isEqualTo(theirs.at("/spec/scope"));
  }

  @ParameterizedTest
  @MethodSource("crdNames")
  void versionsSubresourcesAndPrinterColumnsAreFlaggers(String name) {
    JsonNode theirs = flagger(name).at("/spec/versions");
    JsonNode ours = ours(name).at("/spec/versions");
    assertThat(ours.size()).isEqualTo(theirs.size()).isEqualTo(1);
    for (String field : List.of("name", "served", "storage", "subresources", "additionalPrinterColumns")) {
      assertThat(ours.get(0).get(field)).as(field).isEqualTo(theirs.get(0).get(field));
    }
  }

  @Test
  void canaryPrinterColumnsInFlaggersOrder() {
    List<String> columns = new ArrayList<>();
    ours("canaries.flagger.app").at("/spec/versions/0/additionalPrinterColumns")
        .forEach(c -> columns.add(c.path("name").asText() + ":" + c.path("priority").asInt(0)));
    assertThat(columns).containsExactly("Status:0", "Weight:0", "Suspended:1", "FailedChecks:1", "Interval:1",
        "Mirror:1", "StepWeight:1", "StepWeights:1", "MaxWeight:1", "LastTransitionTime:0");
  }

  @ParameterizedTest
  @MethodSource("crdNames")
  void schemaAcceptsWhatFlaggersAcceptsAndOnlyAddsBuntingsOptionalFields(String name) {
    JsonNode theirs = flagger(name).at("/spec/versions/0/schema/openAPIV3Schema");
    JsonNode ours = ours(name).at("/spec/versions/0/schema/openAPIV3Schema");
    List<String> problems = new ArrayList<>();
    Set<String> added = new TreeSet<>();
    compare("", theirs, ours, problems, added);
    assertThat(problems).as("schema differences that would change what is accepted").isEmpty();
    assertThat(added).as("properties and enum values added to Flagger's schema").isEqualTo(new TreeSet<>(BUNTING_ADDITIONS.get(name)));
  }

  @Test
  void unknownProviderIsRejectedBecauseProviderHasFlaggersEnum() {
    JsonNode provider = ours("canaries.flagger.app")
        .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/provider");
    List<String> values = new ArrayList<>();
    provider.path("enum").forEach(v -> values.add(v.asText()));
    assertThat(values).contains("gatewayapi:v1", "gatewayapi:v1beta1", "kubernetes", "smi:v1alpha3")
        .doesNotContain("gatewayapi", "");
  }

  @Test
  void buntingStatusAdditionsHaveTheirTypes() {
    JsonNode status = ours("canaries.flagger.app")
        .at("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties");
    assertThat(status.at("/observedGeneration/type").asText()).isEqualTo("integer");
    assertThat(iterable(status.at("/lastAction/properties").fieldNames())).containsExactlyInAnyOrder("request",
        "name", "result", "message", "handledAt");
    JsonNode condition = status.at("/conditions/items/properties");
    assertThat(iterable(condition.fieldNames())).containsExactlyInAnyOrder("type", "status", "reason", "message",
        "lastTransitionTime", "lastUpdateTime", "observedGeneration");
    for (String crd : List.of("metrictemplates.flagger.app", "alertproviders.flagger.app")) {
      JsonNode s = ours(crd).at("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties");
      assertThat(s.at("/observedGeneration/type").asText()).as(crd).isEqualTo("integer");
      assertThat(iterable(s.at("/conditions/items/properties").fieldNames())).as(crd)
          .containsExactlyInAnyOrder("type", "status", "reason", "message", "lastTransitionTime", "lastUpdateTime",
              "observedGeneration");
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Compares one schema node. Descriptions may differ; Flagger's {@code format: string} (not a format Kubernetes
   * knows, so it validates nothing) may be left out; {@code required} may only shrink; {@code required} on an array
   * (which Kubernetes ignores) may be left out. Every other keyword must be identical.
   */
  private static void compare(String path, JsonNode theirs, JsonNode ours, List<String> problems, Set<String> added) {
    if (ours == null || ours.isMissingNode()) {
      problems.add(at(path) + ": missing");
      return;
    }
    Set<String> keys = new HashSet<>();
    theirs.fieldNames().forEachRemaining(keys::add);
    ours.fieldNames().forEachRemaining(keys::add);
    boolean isArray = "array".equals(theirs.path("type").asText());
    for (String key : keys) {
      JsonNode t = theirs.get(key);
      JsonNode o = ours.get(key);
      switch (key) {
        case "description" -> { }
        case "properties" -> compareProperties(path, t, o, problems, added);
        case "items" -> compareChild(path + "[]", t, o, problems, added);
        case "additionalProperties" -> compareChild(path + "{}", t, o, problems, added);
        case "required" -> {
          if (t == null && o != null) {
            problems.add(at(path) + ": requires " + o + " (Flagger requires nothing here)");
          } else if (t != null && o != null && !values(t).containsAll(values(o))) {
            problems.add(at(path) + ": requires " + o + ", Flagger requires " + t);
          } else if (t != null && o == null && !isArray) {
            problems.add(at(path) + ": Flagger requires " + t + ", ours nothing (would accept less-complete objects)");
          }
        }
        case "enum" -> {
          if (t != null && o != null && values(o).containsAll(values(t))) {
            values(o).stream().filter(v -> !values(t).contains(v)).forEach(v -> added.add(path + "=" + v));
          } else if (!equal(t, o)) {
            problems.add(at(path) + ": enum " + o + ", Flagger " + t);
          }
        }
        case "format" -> {
          if (!(t != null && o == null && "string".equals(t.asText())) && !equal(t, o)) {
            problems.add(at(path) + ": format " + o + ", Flagger " + t);
          }
        }
        default -> {
          if (!equal(stripDescriptions(t), stripDescriptions(o))) {
            problems.add(at(path) + ": " + key + " " + o + ", Flagger " + t);
          }
        }
      }
    }
  }

  private static void compareChild(String path, JsonNode t, JsonNode o, List<String> problems, Set<String> added) {
    if (t == null && o == null) {
      return;
    }
    if (t == null || o == null || !t.isObject() || !o.isObject()) {
      if (!equal(t, o)) {
        problems.add(at(path) + ": " + o + ", Flagger " + t);
      }
      return;
    }
    compare(path, t, o, problems, added);
  }

  private static void compareProperties(String path, JsonNode t, JsonNode o, List<String> problems,
      Set<String> added) {
    Set<String> names = new TreeSet<>();
    if (t != null) {
      t.fieldNames().forEachRemaining(names::add);
    }
    if (o != null) {
      o.fieldNames().forEachRemaining(names::add);
    }
    for (String name : names) {
      String child = path.isEmpty() ? name : path + "." + name;
      JsonNode tc = t == null ? null : t.get(name);
      JsonNode oc = o == null ? null : o.get(name);
      if (tc == null) {
        added.add(child);
      } else if (oc == null) {
        problems.add(at(child) + ": missing (Flagger declares it; the API server would prune it)");
      } else {
        compare(child, tc, oc, problems, added);
      }
    }
  }

  private static JsonNode stripDescriptions(JsonNode node) {
    if (node == null) {
      return null;
    }
    JsonNode copy = node.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("description");
      if ("string".equals(object.path("format").asText())) {
        object.remove("format");
      }
    }
    node.forEach(CrdFlaggerCompatibilityTest::strip);
  }

  private static boolean equal(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  private static Set<String> values(JsonNode array) {
    Set<String> set = new HashSet<>();
    array.forEach(v -> set.add(v.asText()));
    return set;
  }

  private static <T> Iterable<T> iterable(Iterator<T> it) {
    List<T> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }

  private static String at(String path) {
    return path.isEmpty() ? "(root)" : path;
  }
}
