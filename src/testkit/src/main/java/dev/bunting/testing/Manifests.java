package dev.bunting.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads Kubernetes manifests (multi-document YAML) as generic objects, exactly as written: no typed model in between,
 * so what is sent to the API server is what the file says.
 */
public final class Manifests {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Manifests() {}

  /** Every non-empty document of the YAML text, as JSON trees. */
  public static List<JsonNode> documents(String yaml) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && doc.isObject() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse YAML", e);
    }
    return docs;
  }

  /** Every non-empty document of the file, as JSON trees. */
  public static List<JsonNode> documents(Path file) {
    return documents(read(file));
  }

  /** Every object of the YAML text. */
  public static List<GenericKubernetesResource> objects(String yaml) {
    return documents(yaml).stream()
        .map(doc -> SERIALIZATION.convertValue(doc, GenericKubernetesResource.class))
        .toList();
  }

  /** Every object of the file. */
  public static List<GenericKubernetesResource> objects(Path file) {
    return objects(read(file));
  }

  /** The {@code .yaml} and {@code .yml} files directly in a directory, sorted by name. */
  public static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile)
          .filter(f -> f.getFileName().toString().endsWith(".yaml") || f.getFileName().toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  public static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
