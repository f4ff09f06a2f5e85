package dev.bunting.canary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Revision fingerprints: {@code v2:} + sha256 of the canonical JSON (sorted keys) of the target's pod template and the
 * checksums of its tracked configs. Unlike Flagger's Go-only hash, it is stable across Kubernetes versions and can be
 * recomputed by anyone. A value without the {@code v2:} prefix was written by Flagger and is opaque to Bunting.
 */
public final class Revision {
  public static final String PREFIX = "v2:";
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private Revision() {}

  public static String of(PodTemplateSpec template, Map<String, String> trackedConfigs) {
    return of("template", template, trackedConfigs);
  }

  /**
   * The fingerprint of any target kind: {@code field} names what {@code source} is ({@code template} for pod
   * workloads, so their fingerprints are those of {@link #of(PodTemplateSpec, Map)}; {@code knativeRevision},
   * {@code service}).
   */
  public static String of(String field, Object source, Map<String, String> trackedConfigs) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set(field, canonical(JSON.valueToTree(source)));
    ObjectNode configs = root.putObject("configs");
    new TreeMap<>(trackedConfigs == null ? Map.<String, String>of() : trackedConfigs).forEach(configs::put);
    return PREFIX + sha256(root.toString());
  }

  /** Whether {@code value} is one of Bunting's fingerprints (else it is Flagger's opaque hash, or empty). */
  public static boolean isBunting(String value) {
    return value != null && value.startsWith(PREFIX);
  }

  /** Flagger's config checksum: hex of the first 8 bytes of sha256 over the JSON of the data. */
  public static String configChecksum(Map<String, String> data) {
    String json = JSON.valueToTree(new TreeMap<>(data == null ? Map.<String, String>of() : data)).toString();
    return sha256(json).substring(0, 16);
  }

  /** The same JSON with object keys sorted at every level, nulls dropped. */
  static JsonNode canonical(JsonNode node) {
    if (node instanceof ObjectNode obj) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      List<String> names = new ArrayList<>();
      obj.fieldNames().forEachRemaining(names::add);
      names.stream().sorted().forEach(n -> {
        JsonNode v = obj.get(n);
        if (v != null && !v.isNull()) {
          out.set(n, canonical(v));
        }
      });
      return out;
    }
    if (node instanceof ArrayNode arr) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      arr.forEach(v -> out.add(canonical(v)));
      return out;
    }
    return node;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
