package dev.bunting.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.bunting.testing.Manifests;
import dev.bunting.testing.ProjectFiles;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the CRD files and the Java API classes in agreement:
 *
 * <ul>
 *   <li>every Canary, MetricTemplate and AlertProvider in {@code examples/} survives YAML → Java object → JSON with
 *       nothing lost or changed, and every field of it is a declared Java field (none lands in
 *       {@link ApiObject#unknownFields()});
 *   <li>every property the Java classes serialise exists in the CRD's openAPIV3Schema with a compatible type (a field
 *       the schema lacks would be pruned by the API server), except the documented cases below;
 *   <li>the enums agree (phases, webhook types).
 * </ul>
 */
class CrdJavaModelAgreementTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final Map<String, Class<? extends CustomResource<?, ?>>> KINDS = Map.of(
      "Canary", Canary.class,
      "MetricTemplate", MetricTemplate.class,
      "AlertProvider", AlertProvider.class);

  /**
   * Java paths the CRD does not declare, on purpose. Like Flagger's Go types, Bunting reads them; like Flagger's CRD,
   * ours does not declare them, so the API server prunes them and they only matter for objects from other sources.
   */
  private static final Map<Pattern, String> JAVA_ONLY = Map.of(
      Pattern.compile("spec\\.canaryAnalysis"),
      "deprecated alias of spec.analysis, read by Flagger's Go code but absent from Flagger's CRD",
      Pattern.compile("spec\\.analysis\\.match\\[]\\.(name|uri|scheme|method|authority|port|gateways|ignoreUriCase"
          + "|withoutHeaders|sourceNamespace)"),
      "analysis.match shares Istio's HTTPMatchRequest type; Flagger's CRD declares only headers, queryParams and"
          + " sourceLabels there",
      Pattern.compile("spec\\.(service\\.match\\[]\\.\\w+|analysis\\.match\\[]\\.queryParams)(\\{})?\\.suffix"),
      "StringMatch.suffix is declared only for analysis.match[].headers in Flagger's CRD");

  static Stream<Arguments> exampleObjects() throws IOException {
    List<Arguments> objects = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ProjectFiles.resolve("examples"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode doc : Manifests.documents(file)) {
          if (doc.path("apiVersion").asText().startsWith("flagger.app/")) {
            String name = ProjectFiles.resolve("examples").relativize(file) + " " + doc.path("kind").asText();
            objects.add(Arguments.of(name, doc));
          }
        }
      }
    }
    return objects.stream();
  }

  @Test
  void examplesContainEveryFlaggerKind() throws IOException {
    assertThat(exampleObjects().map(a -> ((JsonNode) a.get()[1]).path("kind").asText()))
        .contains("Canary", "MetricTemplate", "AlertProvider");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exampleObjects")
  void exampleRoundTripsThroughTheJavaClassesLosingNothing(String name, JsonNode manifest) {
    Class<? extends CustomResource<?, ?>> type = KINDS.get(manifest.path("kind").asText());
    assertThat(type).as("Java class for kind %s", manifest.path("kind").asText()).isNotNull();

    CustomResource<?, ?> object = SERIALIZATION.unmarshal(manifest.toString(), type);
    JsonNode written = SERIALIZATION.convertValue(object, JsonNode.class);

    List<String> differences = new ArrayList<>();
    diff("", manifest, written, differences);
    assertThat(differences).as("YAML → %s → JSON differences", type.getSimpleName()).isEmpty();

    List<String> undeclared = new ArrayList<>();
    collectUnknownFields("spec", object.getSpec(), undeclared);
    collectUnknownFields("status", object.getStatus(), undeclared);
    assertThat(undeclared).as("fields the Java classes do not declare (kept only as unknown fields)").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("crdKinds")
  void everyJavaPropertyIsInTheCrdSchema(String kind, String crdFile) {
    JsonNode schema = Manifests.documents(ProjectFiles.resolve("crds/" + crdFile)).get(0)
        .at("/spec/versions/0/schema/openAPIV3Schema");
    JavaType type = MAPPER.constructType(KINDS.get(kind));
    List<String> problems = new ArrayList<>();
    Set<String> javaOnly = new TreeSet<>();
    for (String root : List.of("spec", "status")) {
      JavaType rootType = property(type, root);
      assertThat(rootType).as("%s.%s", kind, root).isNotNull();
      walk(root, rootType, schema.at("/properties/" + root), problems, javaOnly);
    }
    assertThat(problems).as("Java properties missing from, or typed unlike, the %s CRD schema", kind).isEmpty();
    if (kind.equals("Canary")) {
      List<String> unused = JAVA_ONLY.keySet().stream()
          .filter(p -> javaOnly.stream().noneMatch(path -> p.matcher(path).matches()))
          .map(Pattern::pattern).toList();
      assertThat(unused).as("documented Java-only paths that no longer occur (remove them from JAVA_ONLY)").isEmpty();
    }
  }

  static Stream<Arguments> crdKinds() {
    return Stream.of(
        Arguments.of("Canary", "flagger.app_canaries.yaml"),
        Arguments.of("MetricTemplate", "flagger.app_metrictemplates.yaml"),
        Arguments.of("AlertProvider", "flagger.app_alertproviders.yaml"));
  }

  @Test
  void phasesAreTheCrdsPhases() {
    JsonNode schema = canarySchema().at("/properties/status/properties/phase/enum");
    assertThat(texts(schema)).containsExactlyInAnyOrderElementsOf(
        Arrays.stream(CanaryPhase.values()).map(CanaryPhase::wire).toList());
    for (String value : texts(schema)) {
      assertThat(CanaryPhase.fromWire(value).wire()).isEqualTo(value);
    }
  }

  @Test
  void everyWebhookTypeTheCrdAcceptsIsUnderstood() {
    List<String> accepted = texts(canarySchema()
        .at("/properties/spec/properties/analysis/properties/webhooks/items/properties/type/enum"));
    for (String value : accepted) {
      WebhookType type = WebhookType.fromWire(value);
      assertThat(value.isEmpty() ? WebhookType.ROLLOUT.wire() : value).isEqualTo(type.wire());
    }
    assertThat(accepted).containsAll(Arrays.stream(WebhookType.values()).map(WebhookType::wire).toList());
  }

  // ---------------------------------------------------------------------------------------------
  // schema walk

  private static JavaType property(JavaType type, String name) {
    BeanDescription description = MAPPER.getSerializationConfig().introspect(type);
    return description.findProperties().stream()
        .filter(p -> p.getName().equals(name))
        .map(BeanPropertyDefinition::getPrimaryType)
        .findFirst().orElse(null);
  }

  private static void walk(String path, JavaType type, JsonNode schema, List<String> problems, Set<String> javaOnly) {
    if (schema == null || schema.isMissingNode()) {
      if (JAVA_ONLY.keySet().stream().anyMatch(p -> p.matcher(path).matches())) {
        javaOnly.add(path);
      } else {
        problems.add(path + ": not in the schema (" + type.toCanonical() + ")");
      }
      return;
    }
    Class<?> raw = type.getRawClass();
    String schemaType = schema.path("type").asText();
    boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean(false);
    if (raw == Object.class) {
      return;
    }
    if (raw == IntOrString.class) {
      expect(path, intOrString, "x-kubernetes-int-or-string", schema, problems);
    } else if (raw == String.class) {
      expect(path, schemaType.equals("string") || intOrString, "string", schema, problems);
    } else if (raw == Integer.class || raw == Long.class || raw == int.class || raw == long.class) {
      expect(path, schemaType.equals("integer") || schemaType.equals("number"), "integer or number", schema,
          problems);
    } else if (raw == Double.class || raw == double.class || raw == Float.class) {
      expect(path, schemaType.equals("number"), "number", schema, problems);
    } else if (raw == Boolean.class || raw == boolean.class) {
      expect(path, schemaType.equals("boolean"), "boolean", schema, problems);
    } else if (raw.isEnum()) {
      expect(path, schemaType.equals("string") && schema.has("enum"), "string enum", schema, problems);
    } else if (type.isCollectionLikeType() || type.isArrayType()) {
      if (expect(path, schemaType.equals("array"), "array", schema, problems)) {
        walk(path + "[]", type.getContentType(), schema.get("items"), problems, javaOnly);
      }
    } else if (type.isMapLikeType()) {
      if (expect(path, schemaType.equals("object"), "object", schema, problems)) {
        JsonNode values = schema.get("additionalProperties");
        if (values != null && values.isObject()) {
          walk(path + "{}", type.getContentType(), values, problems, javaOnly);
        } else if (type.getContentType().getRawClass() != Object.class) {
          problems.add(path + ": a map of " + type.getContentType().toCanonical()
              + " but the schema has no additionalProperties");
        }
      }
    } else {
      if (expect(path, schemaType.equals("object") && schema.has("properties"), "object with properties", schema,
          problems)) {
        for (BeanPropertyDefinition p : MAPPER.getSerializationConfig().introspect(type).findProperties()) {
          walk(path + "." + p.getName(), p.getPrimaryType(), schema.path("properties").get(p.getName()), problems,
              javaOnly);
        }
      }
    }
  }

  private static boolean expect(String path, boolean ok, String what, JsonNode schema, List<String> problems) {
    if (!ok) {
      problems.add(path + ": Java expects " + what + ", the schema says " + schema.path("type").asText("(no type)"));
    }
    return ok;
  }

  // ---------------------------------------------------------------------------------------------
  // object comparison

  /** Differences between two JSON trees; numbers compare by value (99 and 99.0 are equal). */
  private static void diff(String path, JsonNode expected, JsonNode actual, List<String> out) {
    if (actual == null || actual.isMissingNode()) {
      out.add(path + ": lost (was " + expected + ")");
    } else if (expected.isObject() && actual.isObject()) {
      Set<String> names = new TreeSet<>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        if (!expected.has(name)) {
          out.add(path + "." + name + ": added (" + actual.get(name) + ")");
        } else {
          diff(path + "." + name, expected.get(name), actual.get(name), out);
        }
      }
    } else if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
      for (int i = 0; i < expected.size(); i++) {
        diff(path + "[" + i + "]", expected.get(i), actual.get(i), out);
      }
    } else if (expected.isNumber() && actual.isNumber()) {
      if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
        out.add(path + ": " + expected + " became " + actual);
      }
    } else if (!expected.equals(actual)) {
      out.add(path + ": " + expected + " became " + actual);
    }
  }

  /** Paths of fields kept in {@link ApiObject#unknownFields()} anywhere in the object graph. */
  private static void collectUnknownFields(String path, Object value, List<String> out) {
    if (value == null) {
      return;
    }
    if (value instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        collectUnknownFields(path + "[" + i++ + "]", item, out);
      }
    } else if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknownFields(path + "." + k, v, out));
    } else if (value instanceof ApiObject object) {
      object.unknownFields().keySet().forEach(k -> out.add(path + "." + k));
      for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field field : c.getDeclaredFields()) {
          if (Modifier.isPublic(field.getModifiers()) && !Modifier.isStatic(field.getModifiers())) {
            try {
              collectUnknownFields(path + "." + field.getName(), field.get(value), out);
            } catch (IllegalAccessException e) {
              throw new IllegalStateException(e);
            }
          }
        }
      }
    }
  }

  private static JsonNode canarySchema() {
    return Manifests.documents(ProjectFiles.resolve("crds/flagger.app_canaries.yaml")).get(0)
        .at("/spec/versions/0/schema/openAPIV3Schema");
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    Iterator<JsonNode> it = array.elements();
    it.forEachRemaining(v -> values.add(v.asText()));
    return values;
  }
}
