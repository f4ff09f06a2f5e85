package dev.bunting.gitops;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the files of a repository path into the objects to apply: every {@code *.yaml}/{@code *.yml} file, recursively,
 * in path order (byte order of the path, so the same tree always renders the same list), every document in file order.
 * Empty documents are skipped, {@code v1/List} objects are flattened, kustomize's own {@code kustomization.yaml}
 * objects and files under hidden directories ({@code .github/}) are ignored. Namespaced objects without a namespace get
 * the default namespace; every object gets the owner labels.
 */
public final class ManifestRenderer {
  /** Whether a kind is namespaced, from API discovery; empty when the API server does not know the kind. */
  @FunctionalInterface
  public interface ScopeLookup {
    Optional<Boolean> namespaced(String apiVersion, String kind);
  }

  /** A source file: path relative to the repository root, and its bytes. */
  public record SourceFile(String path, byte[] content) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final ScopeLookup scopes;

  public ManifestRenderer(ScopeLookup scopes) {
    this.scopes = scopes;
  }

  /**
   * True for the files a render reads: {@code .yaml}/{@code .yml}, not under a hidden directory.
   *
   * @param path the path relative to the synced directory
   */
  public static boolean isManifestFile(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (!(lower.endsWith(".yaml") || lower.endsWith(".yml"))) {
      return false;
    }
    for (String segment : path.split("/")) {
      if (segment.startsWith(".")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Renders {@code files}.
   *
   * @param defaultNamespace namespace for namespaced objects that set none
   * @param labels labels added to every object (the owner labels)
   */
  public List<Manifest> render(List<SourceFile> files, String defaultNamespace, Map<String, String> labels)
      throws RenderException {
    List<SourceFile> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(SourceFile::path));
    List<Manifest> out = new ArrayList<>();
    Map<String, Manifest> seen = new HashMap<>();
    List<Map<String, Object>> crds = new ArrayList<>();
    List<Object[]> raw = new ArrayList<>();
    for (SourceFile f : sorted) {
      String lower = f.path().toLowerCase(Locale.ROOT);
      if (!(lower.endsWith(".yaml") || lower.endsWith(".yml"))) {
        continue;
      }
      int doc = 0;
      for (Object parsed : parse(f)) {
        doc++;
        if (parsed == null) {
          continue;
        }
        if (!(parsed instanceof Map<?, ?> map)) {
          throw new RenderException(f.path(), f.path() + ": document " + doc + " is not a mapping (a Kubernetes "
              + "object needs apiVersion, kind and metadata.name)");
        }
        for (Map<String, Object> obj : flatten(f.path(), doc, castMap(map))) {
          if (isCrd(obj)) {
            crds.add(obj);
          }
          raw.add(new Object[] {f.path(), doc, obj});
        }
      }
    }
    for (Object[] r : raw) {
      String file = (String) r[0];
      int doc = (int) r[1];
      @SuppressWarnings("unchecked")
      Map<String, Object> obj = (Map<String, Object>) r[2];
      Manifest m = toManifest(file, doc, obj, crds, defaultNamespace, labels);
      String id = m.key().inventoryId();
      Manifest before = seen.putIfAbsent(id, m);
      if (before != null) {
        throw new RenderException(file, m.key() + " is defined twice: in " + before.origin() + " and in " + m.origin());
      }
      out.add(m);
    }
    return out;
  }

  private static List<Object> parse(SourceFile f) throws RenderException {
    List<Object> docs = new ArrayList<>();
    try (JsonParser p = YAML.getFactory().createParser(f.content());
        MappingIterator<Object> it = YAML.readerFor(Object.class).readValues(p)) {
      while (true) {
        boolean more;
        try {
          more = it.hasNextValue();
          if (!more) {
            break;
          }
          docs.add(it.nextValue());
        } catch (JsonProcessingException e) {
          throw new RenderException(f.path(), f.path() + ": document " + (docs.size() + 1) + ": invalid YAML: "
              + describe(e));
        }
      }
    } catch (RenderException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new RenderException(f.path(), f.path() + ": document " + (docs.size() + 1) + ": invalid YAML: "
          + (e.getCause() instanceof JsonProcessingException j ? describe(j) : String.valueOf(e.getMessage())));
    }
    return docs;
  }

  private static String describe(JsonProcessingException e) {
    String msg = e.getOriginalMessage();
    JsonLocation loc = e.getLocation();
    if (msg != null) {
      msg = msg.replaceAll("\\s+", " ").trim();
    }
    return loc == null ? msg : msg + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
  }

  private static List<Map<String, Object>> flatten(String file, int doc, Map<String, Object> obj)
      throws RenderException {
    if ("v1".equals(obj.get("apiVersion")) && "List".equals(obj.get("kind"))) {
      List<Map<String, Object>> items = new ArrayList<>();
      if (obj.get("items") instanceof List<?> list) {
        for (Object o : list) {
          if (!(o instanceof Map<?, ?> m)) {
            throw new RenderException(file, file + ": document " + doc + ": an item of the List is not an object");
          }
          items.add(castMap(m));
        }
      }
      return items;
    }
    if (obj.get("apiVersion") instanceof String av && av.startsWith("kustomize.config.k8s.io/")) {
      return List.of();
    }
    return List.of(obj);
  }

  private Manifest toManifest(String file, int doc, Map<String, Object> obj, List<Map<String, Object>> crds,
      String defaultNamespace, Map<String, String> labels) throws RenderException {
    String where = file + ": document " + doc;
    if (!(obj.get("apiVersion") instanceof String apiVersion) || apiVersion.isBlank()) {
      throw new RenderException(file, where + ": apiVersion is missing (is this a Kubernetes object?)");
    }
    if (!(obj.get("kind") instanceof String kind) || kind.isBlank()) {
      throw new RenderException(file, where + ": kind is missing (is this a Kubernetes object?)");
    }
    Map<String, Object> metadata = obj.get("metadata") instanceof Map<?, ?> m ? castMap(m) : null;
    if (metadata == null || !(metadata.get("name") instanceof String name) || name.isBlank()) {
      throw new RenderException(file, where + ": " + kind + " has no metadata.name");
    }
    if (metadata.containsKey("generateName")) {
      throw new RenderException(file, where + ": " + kind + "/" + name
          + " uses metadata.generateName, which cannot be applied idempotently");
    }
    Object ns = metadata.get("namespace");
    boolean namespaced = scopeOf(apiVersion, kind, crds).orElse(true);
    if (namespaced) {
      if (!(ns instanceof String s) || s.isBlank()) {
        metadata.put("namespace", defaultNamespace);
      }
    } else {
      metadata.remove("namespace");
    }
    Map<String, Object> objLabels = metadata.get("labels") instanceof Map<?, ?> l ? castMap(l) : new LinkedHashMap<>();
    objLabels.putAll(labels);
    metadata.put("labels", objLabels);
    obj.put("metadata", metadata);
    try {
      return new Manifest(file, doc, SERIALIZATION.convertValue(obj, GenericKubernetesResource.class));
    } catch (RuntimeException e) {
      throw new RenderException(file, where + ": " + kind + "/" + name + " cannot be read: " + e.getMessage());
    }
  }

  private Optional<Boolean> scopeOf(String apiVersion, String kind, List<Map<String, Object>> crds) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    for (Map<String, Object> crd : crds) {
      if (crd.get("spec") instanceof Map<?, ?> spec && group.equals(spec.get("group"))
          && spec.get("names") instanceof Map<?, ?> names && kind.equals(names.get("kind"))) {
        return Optional.of(!"Cluster".equals(spec.get("scope")));
      }
    }
    return scopes.namespaced(apiVersion, kind);
  }

  private static boolean isCrd(Map<String, Object> obj) {
    return "CustomResourceDefinition".equals(obj.get("kind")) && obj.get("apiVersion") instanceof String av
        && av.startsWith("apiextensions.k8s.io/");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return new LinkedHashMap<>((Map<String, Object>) m);
  }
}
