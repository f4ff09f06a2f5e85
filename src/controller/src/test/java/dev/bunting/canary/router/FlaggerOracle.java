package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What Flagger 1.44's own routers wrote for the cases of {@code flagger/<name>.cases.json}, as recorded in
 * {@code flagger/<name>.expected.json} by {@code src/test/go/flagger-oracle} (Flagger's router code run against fake
 * clientsets). Router tests build the same Canary with Bunting and compare the objects field by field.
 */
final class FlaggerOracle {
  private final String file;
  private final Map<String, JsonNode> cases = new java.util.LinkedHashMap<>();
  private final Map<String, JsonNode> results = new java.util.LinkedHashMap<>();

  private FlaggerOracle(String file, JsonNode cases, JsonNode results) {
    this.file = file;
    cases.forEach(c -> this.cases.put(c.path("name").asText(), c));
    results.forEach(r -> this.results.put(r.path("name").asText(), r));
  }

  /** Loads {@code flagger/<name>.cases.json} and {@code flagger/<name>.expected.json} from the test classpath. */
  static FlaggerOracle load(String name) {
    return new FlaggerOracle(name, read("flagger/" + name + ".cases.json"), read("flagger/" + name + ".expected.json"));
  }

  private static JsonNode read(String resource) {
    try (InputStream in = FlaggerOracle.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " not found next to " + FlaggerOracle.class.getName()
            + "; run src/test/go/flagger-oracle/run");
      }
      return Serialization.jsonMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The case's Canary, as Bunting reads it. */
  Canary canary(String caseName) {
    return Serialization.jsonMapper().convertValue(input(caseName).path("canary"), Canary.class);
  }

  /** The objects that existed before the first step (a user's Ingress, VirtualService, ...). */
  List<GenericKubernetesResource> seeded(String caseName) {
    return resources(input(caseName).path("objects"));
  }

  /** What Flagger left behind after step {@code index} (0-based) of the case. */
  Step step(String caseName, int index) {
    JsonNode steps = Objects.requireNonNull(results.get(caseName), () -> "no results for case " + caseName + " in "
        + file + ".expected.json; run src/test/go/flagger-oracle/run").path("steps");
    JsonNode s = steps.get(index);
    if (s == null) {
      throw new IllegalArgumentException(file + " case " + caseName + " has " + steps.size() + " steps, not " + (index + 1));
    }
    JsonNode routes = s.path("routes");
    Optional<Weights> weights = routes.isMissingNode() ? Optional.empty()
        : Optional.of(new Weights(routes.path("primary").asInt(), routes.path("canary").asInt(),
            routes.path("mirrored").asBoolean()));
    return new Step(s.path("op").asText(), s.path("error").asText(""), weights, resources(s.path("objects")));
  }

  /** The input of step {@code index} of the case (its op and arguments, e.g. a {@code patch}). */
  JsonNode stepInput(String caseName, int index) {
    return input(caseName).path("steps").path(index);
  }

  /** The number of steps of the case. */
  int steps(String caseName) {
    return input(caseName).path("steps").size();
  }

  private JsonNode input(String caseName) {
    return Objects.requireNonNull(cases.get(caseName), () -> "no case " + caseName + " in " + file + ".cases.json");
  }

  private static List<GenericKubernetesResource> resources(JsonNode array) {
    List<GenericKubernetesResource> out = new ArrayList<>();
    array.forEach(o -> out.add(Serialization.jsonMapper().convertValue(o, GenericKubernetesResource.class)));
    return out;
  }

  /** One step's outcome: its error (empty when none), the routes GetRoutes returned, and every dumped object. */
  record Step(String op, String error, Optional<Weights> routes, List<GenericKubernetesResource> objects) {

    /** The object of {@code kind} named {@code name}; fails when Flagger wrote none. */
    GenericKubernetesResource object(String kind, String name) {
      return objects.stream().filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName()))
          .findFirst().orElseThrow(() -> new AssertionError("Flagger wrote no " + kind + " " + name + " in step "
              + op + "; it wrote " + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
    }

    /** The objects of one kind, sorted by name. */
    List<GenericKubernetesResource> ofKind(String kind) {
      return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    /** The step's objects as router caches would hold them. */
    CachedObjects cached() {
      return Cached.of(objects);
    }
  }

  /**
   * Asserts that Bunting's object has exactly Flagger's fields (apiVersion, kind, metadata.name, namespace, labels,
   * annotations, ownerReferences, spec), except under the JSON pointers in {@code ignored} (each a deliberate,
   * documented difference). Null values count as absent. The message lists every differing path.
   */
  static void assertSameFields(HasMetadata bunting, GenericKubernetesResource flagger, String... ignored) {
    JsonNode b = normalized(Serialization.jsonMapper().valueToTree(bunting), Set.of(ignored));
    JsonNode f = normalized(Serialization.jsonMapper().valueToTree(flagger), Set.of(ignored));
    List<String> diff = new ArrayList<>();
    diff("", b, f, diff);
    assertThat(diff).as("%s %s: fields that differ from what Flagger 1.44 writes (Bunting vs Flagger)",
        flagger.getKind(), flagger.getMetadata().getName()).isEmpty();
  }

  private static JsonNode normalized(JsonNode node, Set<String> ignored) {
    ObjectNode copy = (ObjectNode) node.deepCopy();
    copy.remove("status");
    for (String pointer : ignored) {
      int slash = pointer.lastIndexOf('/');
      JsonNode parent = copy.at(pointer.substring(0, slash));
      if (parent instanceof ObjectNode o) {
        o.remove(pointer.substring(slash + 1));
      } else if (parent instanceof ArrayNode a) {
        a.remove(Integer.parseInt(pointer.substring(slash + 1)));
      }
    }
    dropNulls(copy);
    return copy;
  }

  private static void dropNulls(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull()) {
          it.remove();
        } else {
          dropNulls(e.getValue());
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(FlaggerOracle::dropNulls);
    }
  }

  private static void diff(String path, JsonNode b, JsonNode f, List<String> out) {
    if (b.isObject() && f.isObject()) {
      Set<String> names = new java.util.TreeSet<>();
      b.fieldNames().forEachRemaining(names::add);
      f.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        diff(path + "/" + n, b.path(n), f.path(n), out);
      }
    } else if (b.isArray() && f.isArray() && b.size() == f.size()) {
      for (int i = 0; i < b.size(); i++) {
        diff(path + "/" + i, b.get(i), f.get(i), out);
      }
    } else if (!equalValues(b, f)) {
      out.add(path + ": Bunting " + (b.isMissingNode() ? "(absent)" : b) + ", Flagger "
          + (f.isMissingNode() ? "(absent)" : f));
    }
  }

  /** Numbers compare by value (Flagger writes ints where Bunting may write longs). */
  private static boolean equalValues(JsonNode b, JsonNode f) {
    if (b.isNumber() && f.isNumber()) {
      return b.decimalValue().compareTo(f.decimalValue()) == 0;
    }
    return b.equals(f);
  }
}
