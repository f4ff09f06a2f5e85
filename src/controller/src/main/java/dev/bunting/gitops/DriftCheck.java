package dev.bunting.gitops;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides whether an object has drifted, the way Flux's {@code ssa} package does: the server-side dry-run result of
 * the desired object is compared with the live object, both without {@code status} and without the metadata the
 * API server maintains (resourceVersion, managedFields, generation, uid, timestamps). Equal means a write would change
 * nothing, so none is made.
 */
public final class DriftCheck {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final List<String> NOISE = List.of("resourceVersion", "managedFields", "generation", "uid",
      "creationTimestamp", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds");

  private DriftCheck() {}

  /** True when applying would change {@code live}: {@code dryRun} is the server's answer to a dry-run apply. */
  public static boolean drifted(HasMetadata dryRun, HasMetadata live) {
    if (live == null) {
      return true;
    }
    return !comparable(dryRun).equals(comparable(live));
  }

  /** Up to {@code max} dotted paths where the two objects differ (for logs and Events: what drifted). */
  public static List<String> differences(HasMetadata desired, HasMetadata live, int max) {
    List<String> out = new java.util.ArrayList<>();
    diff("", comparable(desired), live == null ? Map.of() : comparable(live), out, max);
    return out;
  }

  private static void diff(String path, Object a, Object b, List<String> out, int max) {
    if (out.size() >= max || java.util.Objects.equals(a, b)) {
      return;
    }
    if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
      java.util.Set<Object> keys = new java.util.TreeSet<>(java.util.Comparator.comparing(String::valueOf));
      keys.addAll(ma.keySet());
      keys.addAll(mb.keySet());
      for (Object k : keys) {
        diff(path.isEmpty() ? String.valueOf(k) : path + "." + k, ma.get(k), mb.get(k), out, max);
      }
      return;
    }
    out.add(path.isEmpty() ? "(object)" : path);
  }

  /**
   * The object as a map, minus status and server-maintained metadata, with numbers normalised (an integer is a
   * {@code Long}, a fraction a {@code Double}, whatever type the parser picked).
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> comparable(HasMetadata obj) {
    Map<String, Object> m = (Map<String, Object>) normalize(SERIALIZATION.convertValue(obj, Map.class));
    m.remove("status");
    if (m.get("metadata") instanceof Map<?, ?> md) {
      @SuppressWarnings("unchecked")
      Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) md);
      NOISE.forEach(meta::remove);
      if (meta.get("annotations") instanceof Map<?, ?> a && a.isEmpty()) {
        meta.remove("annotations");
      }
      m.put("metadata", meta);
    }
    return m;
  }

  /** A stable digest of {@link #comparable}: equal digests mean the object did not change in any way we manage. */
  public static String fingerprint(HasMetadata obj) {
    return sha256(SERIALIZATION.asJson(sorted(comparable(obj))));
  }

  /** A stable digest of a desired object as rendered. */
  public static String desiredDigest(HasMetadata obj) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = SERIALIZATION.convertValue(obj, Map.class);
    return sha256(SERIALIZATION.asJson(sorted(m)));
  }

  @SuppressWarnings("unchecked")
  private static Object normalize(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<String, Object>) m).forEach((k, v) -> out.put(k, normalize(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(DriftCheck::normalize).toList();
    }
    if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte
        || o instanceof java.math.BigInteger) {
      return ((Number) o).longValue();
    }
    if (o instanceof Float || o instanceof Double || o instanceof java.math.BigDecimal) {
      double d = ((Number) o).doubleValue();
      return d == Math.rint(d) && !Double.isInfinite(d) ? (Object) (long) d : (Object) d;
    }
    return o;
  }

  @SuppressWarnings("unchecked")
  private static Object sorted(Object o) {
    if (o instanceof Map<?, ?> m) {
      TreeMap<String, Object> t = new TreeMap<>();
      ((Map<String, Object>) m).forEach((k, v) -> t.put(k, sorted(v)));
      return t;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(DriftCheck::sorted).toList();
    }
    return o;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
