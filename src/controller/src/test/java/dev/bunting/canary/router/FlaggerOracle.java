package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryStatus;
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

  /**
   * Every step of a case with what Flagger's router had been given by then: the Canary (the case's, or the object of the
   * latest {@code setCanary} step) and the weights (100/0 until a {@code setRoutes} step; reconciles keep them), so a
   * test can build Bunting's objects for the same moment and compare them with {@link Moment#flagger()}.
   */
  List<Moment> moments(String caseName) {
    List<Moment> out = new ArrayList<>();
    Canary canary = canary(caseName);
    Weights weights = Weights.ALL_PRIMARY;
    JsonNode steps = input(caseName).path("steps");
    for (int i = 0; i < steps.size(); i++) {
      JsonNode s = steps.get(i);
      switch (s.path("op").asText()) {
        case "setRoutes" -> weights = new Weights(s.path("primary").asInt(), s.path("canary").asInt(),
            s.path("mirrored").asBoolean());
        case "setCanary" -> canary = Serialization.jsonMapper().convertValue(s.path("object"), Canary.class);
        default -> { }
      }
      out.add(new Moment(i, s.path("op").asText(), canary, weights, step(caseName, i)));
    }
    return out;
  }

  /** One step of a case: its op, the Canary and weights Flagger's router had been given, and what Flagger left. */
  record Moment(int index, String op, Canary canary, Weights weights, Step flagger) {
    /** Whether Flagger's router wrote at this step ({@code reconcile} or {@code setRoutes}). */
    boolean writes() {
      return op.equals("reconcile") || op.equals("setRoutes");
    }
  }

  /** The weights a {@code setRoutes} step (0-based {@code index}) of the case asked for. */
  Weights requestedWeights(String caseName, int index) {
    JsonNode s = input(caseName).path("steps").get(index);
    if (s == null || !"setRoutes".equals(s.path("op").asText())) {
      throw new IllegalArgumentException(file + " case " + caseName + " step " + index + " is not a setRoutes step");
    }
    return new Weights(s.path("primary").asInt(), s.path("canary").asInt(), s.path("mirrored").asBoolean());
  }

  /**
   * The Canary status as Flagger's router left it after step {@code index} (cases with {@code "dumpStatus": true};
   * random cookie values read {@code random1}, {@code random2}, ...); empty for other cases.
   */
  Optional<CanaryStatus> status(String caseName, int index) {
    JsonNode s = results.get(caseName).path("steps").get(index).path("status");
    return s.isMissingNode() || s.isNull() ? Optional.empty()
        : Optional.of(Serialization.jsonMapper().convertValue(s, CanaryStatus.class));
  }

  /** The input of step {@code index} of the case (its op and arguments, e.g. a {@code patch}). */
  JsonNode stepInput(String caseName, int index) {
    return input(caseName).path("steps").path(index);
  }

  /** How many steps the case has. */
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
   * documented difference; {@code ~1} escapes a {@code /} in a key, as in {@code /metadata/annotations/a.io~1b}). Null
   * values, empty lists (Go's {@code omitempty} cannot tell them from absent ones) and objects that held only ignored
   * fields count as absent. The message lists every differing path.
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
      String parentPointer = pointer.substring(0, slash);
      // the last segment is a JSON pointer token: ~1 stands for '/', ~0 for '~'
      String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
      JsonNode parent = copy.at(parentPointer);
      if (parent instanceof ObjectNode o) {
        o.remove(last);
        if (o.isEmpty() && parentPointer.lastIndexOf('/') >= 0
            && copy.at(parentPointer.substring(0, parentPointer.lastIndexOf('/'))) instanceof ObjectNode grand) {
          // an object that held only ignored fields counts as absent
          grand.remove(parentPointer.substring(parentPointer.lastIndexOf('/') + 1).replace("~1", "/").replace("~0", "~"));
        }
      } else if (parent instanceof ArrayNode a) {
        a.remove(Integer.parseInt(last));
      }
    }
    dropNulls(copy);
    return copy;
  }

  private static void dropNulls(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull() || (e.getValue().isArray() && e.getValue().isEmpty())) {
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
