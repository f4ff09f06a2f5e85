package dev.bunting.canary.workload;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Flagger's config tracking: the ConfigMaps and Secrets a target's pods use (volumes, projected volumes,
 * {@code env.valueFrom}, {@code envFrom}, in containers and init containers) are part of its revision, so a config
 * change starts a canary like an image change does. The primary gets {@code <name>-primary} copies, made at
 * initialisation and promotion, and its pod spec points at them, so the primary keeps running the promoted config
 * while the canary tries the new one. A ConfigMap or Secret annotated {@code flagger.app/config-tracking: disabled}
 * is left alone, as are Secret types other than Opaque, basic-auth, ssh-auth and TLS. Pure: no API calls.
 */
public final class ConfigTracker {
  public static final String ANNOTATION = "flagger.app/config-tracking";
  private static final Set<String> SECRET_TYPES = Set.of("Opaque", "kubernetes.io/basic-auth",
      "kubernetes.io/ssh-auth", "kubernetes.io/tls");

  /** A reference from a pod spec to a ConfigMap or Secret. */
  public record ConfigRef(Kind kind, String name) {
    /** {@code configmap/<name>} or {@code secret/<name>}, the key of {@code status.trackedConfigs}. */
    public String key() {
      return kind.prefix + "/" + name;
    }

    public String primaryName() {
      return name + "-primary";
    }
  }

  /** ConfigMap or Secret. */
  public enum Kind {
    CONFIG_MAP("configmap", "ConfigMap"), SECRET("secret", "Secret");

    final String prefix;
    private final String displayName;

    Kind(String prefix, String displayName) {
      this.prefix = prefix;
      this.displayName = displayName;
    }

    /** The Kubernetes kind: {@code ConfigMap} or {@code Secret}. */
    public String displayName() {
      return displayName;
    }
  }

  /** The configs {@code spec} uses that exist and are tracked, in a stable order. */
  public List<ConfigRef> tracked(PodSpec spec, BiFunction<Kind, String, Optional<? extends HasMetadata>> lookup) {
    List<ConfigRef> out = new ArrayList<>();
    for (ConfigRef ref : references(spec)) {
      Optional<? extends HasMetadata> obj = lookup.apply(ref.kind(), ref.name());
      if (obj.isEmpty() || disabled(obj.get())) {
        continue;
      }
      if (obj.get() instanceof Secret s && s.getType() != null && !SECRET_TYPES.contains(s.getType())) {
        continue;
      }
      out.add(ref);
    }
    return out;
  }

  /** {@code configmap/<name>} → checksum of its data, for {@code status.trackedConfigs} and the revision. */
  public Map<String, String> checksums(List<ConfigRef> refs,
      BiFunction<Kind, String, Optional<? extends HasMetadata>> lookup) {
    Map<String, String> out = new TreeMap<>();
    for (ConfigRef ref : refs) {
      lookup.apply(ref.kind(), ref.name()).ifPresent(obj -> out.put(ref.key(), checksum(obj)));
    }
    return out;
  }

  /** Every ConfigMap and Secret name {@code spec} refers to (tracked or not). */
  public Set<ConfigRef> references(PodSpec spec) {
    Set<ConfigRef> refs = new LinkedHashSet<>();
    visit(spec, (ref, optional, rename) -> refs.add(ref));
    return refs;
  }

  /**
   * The configs {@code spec} needs (references not marked {@code optional}) that {@code lookup} does not find: pods
   * cannot start without them, and the primary would have no copy to point at.
   */
  public Set<ConfigRef> missing(PodSpec spec, BiFunction<Kind, String, Optional<? extends HasMetadata>> lookup) {
    Set<ConfigRef> out = new LinkedHashSet<>();
    visit(spec, (ref, optional, rename) -> {
      if (!optional && lookup.apply(ref.kind(), ref.name()).isEmpty()) {
        out.add(ref);
      }
    });
    return out;
  }

  /** A copy of {@code spec} whose references to {@code tracked} configs point at their {@code -primary} copies. */
  public PodSpec toPrimary(PodSpec spec, List<ConfigRef> tracked) {
    return rename(spec, tracked, ConfigRef::primaryName);
  }

  /** The inverse of {@link #toPrimary}: {@code -primary} references back to the originals. */
  public PodSpec fromPrimary(PodSpec spec, List<ConfigRef> tracked) {
    Map<String, ConfigRef> byPrimary = new LinkedHashMap<>();
    tracked.forEach(r -> byPrimary.put(r.kind() + "/" + r.primaryName(), r));
    PodSpec copy = Serialization.clone(spec);
    visit(copy, (ref, optional, rename) -> {
      ConfigRef original = byPrimary.get(ref.kind() + "/" + ref.name());
      if (original != null) {
        rename.accept(original.name());
      }
    });
    return copy;
  }

  /** The {@code <name>-primary} copy of a tracked ConfigMap, owned by the Canary. */
  public ConfigMap primaryConfigMap(ConfigMap source, Canary canary) {
    ConfigMap copy = new ConfigMap();
    copy.setApiVersion("v1");
    copy.setKind("ConfigMap");
    copy.setMetadata(copyMeta(source.getMetadata(), canary));
    copy.setData(source.getData());
    copy.setBinaryData(source.getBinaryData());
    return copy;
  }

  /** The {@code <name>-primary} copy of a tracked Secret, owned by the Canary. */
  public Secret primarySecret(Secret source, Canary canary) {
    Secret copy = new Secret();
    copy.setApiVersion("v1");
    copy.setKind("Secret");
    copy.setMetadata(copyMeta(source.getMetadata(), canary));
    copy.setType(source.getType());
    copy.setData(source.getData());
    return copy;
  }

  private static ObjectMeta copyMeta(ObjectMeta source, Canary canary) {
    ObjectMeta meta = new ObjectMeta();
    meta.setName(source.getName() + "-primary");
    meta.setNamespace(source.getNamespace());
    Map<String, String> labels = new LinkedHashMap<>();
    if (source.getLabels() != null) {
      source.getLabels().forEach((k, v) -> {
        if (!k.contains("toolkit.fluxcd.io") && !k.startsWith("gitsync.bunting.dev/")) {
          labels.put(k, v);
        }
      });
    }
    meta.setLabels(labels.isEmpty() ? null : labels);
    // Not the controller: a config shared by several canaries gets one owner reference per canary.
    meta.setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion(Canary.API_VERSION).withKind("Canary")
        .withName(canary.getMetadata().getName()).withUid(canary.getMetadata().getUid()).build()));
    return meta;
  }

  private PodSpec rename(PodSpec spec, List<ConfigRef> tracked, java.util.function.Function<ConfigRef, String> to) {
    Set<ConfigRef> set = new LinkedHashSet<>(tracked);
    PodSpec copy = Serialization.clone(spec);
    visit(copy, (ref, optional, rename) -> {
      if (set.contains(ref)) {
        rename.accept(to.apply(ref));
      }
    });
    return copy;
  }

  private static boolean optional(Boolean flag) {
    return Boolean.TRUE.equals(flag);
  }

  private static boolean disabled(HasMetadata obj) {
    Map<String, String> a = obj.getMetadata().getAnnotations();
    return a != null && a.getOrDefault(ANNOTATION, "").startsWith("disable");
  }

  static String checksum(HasMetadata obj) {
    Object data;
    if (obj instanceof ConfigMap cm) {
      Map<String, Object> all = new TreeMap<>();
      if (cm.getData() != null) {
        all.putAll(cm.getData());
      }
      if (cm.getBinaryData() != null) {
        cm.getBinaryData().forEach((k, v) -> all.put("binary:" + k, v));
      }
      data = all;
    } else {
      Secret s = (Secret) obj;
      data = s.getData() == null ? Map.of() : new TreeMap<>(s.getData());
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(
          Serialization.asJson(data).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Walks every config reference of a pod spec; the visitor may rename it in place. */
  private static void visit(PodSpec spec, RefVisitor visitor) {
    if (spec == null) {
      return;
    }
    if (spec.getVolumes() != null) {
      for (Volume v : spec.getVolumes()) {
        if (v.getConfigMap() != null && v.getConfigMap().getName() != null) {
          ConfigRef r = new ConfigRef(Kind.CONFIG_MAP, v.getConfigMap().getName());
          visitor.accept(r, optional(v.getConfigMap().getOptional()), n -> v.getConfigMap().setName(n));
        }
        if (v.getSecret() != null && v.getSecret().getSecretName() != null) {
          ConfigRef r = new ConfigRef(Kind.SECRET, v.getSecret().getSecretName());
          visitor.accept(r, optional(v.getSecret().getOptional()), n -> v.getSecret().setSecretName(n));
        }
        if (v.getProjected() != null && v.getProjected().getSources() != null) {
          for (VolumeProjection p : v.getProjected().getSources()) {
            if (p.getConfigMap() != null && p.getConfigMap().getName() != null) {
              ConfigRef r = new ConfigRef(Kind.CONFIG_MAP, p.getConfigMap().getName());
              visitor.accept(r, optional(p.getConfigMap().getOptional()), n -> p.getConfigMap().setName(n));
            }
            if (p.getSecret() != null && p.getSecret().getName() != null) {
              ConfigRef r = new ConfigRef(Kind.SECRET, p.getSecret().getName());
              visitor.accept(r, optional(p.getSecret().getOptional()), n -> p.getSecret().setName(n));
            }
          }
        }
      }
    }
    List<Container> containers = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      containers.addAll(spec.getInitContainers());
    }
    if (spec.getContainers() != null) {
      containers.addAll(spec.getContainers());
    }
    for (Container c : containers) {
      if (c.getEnv() != null) {
        for (EnvVar e : c.getEnv()) {
          if (e.getValueFrom() == null) {
            continue;
          }
          var cm = e.getValueFrom().getConfigMapKeyRef();
          if (cm != null && cm.getName() != null) {
            ConfigRef r = new ConfigRef(Kind.CONFIG_MAP, cm.getName());
            visitor.accept(r, optional(cm.getOptional()), cm::setName);
          }
          var sec = e.getValueFrom().getSecretKeyRef();
          if (sec != null && sec.getName() != null) {
            ConfigRef r = new ConfigRef(Kind.SECRET, sec.getName());
            visitor.accept(r, optional(sec.getOptional()), sec::setName);
          }
        }
      }
      if (c.getEnvFrom() != null) {
        for (EnvFromSource ef : c.getEnvFrom()) {
          if (ef.getConfigMapRef() != null && ef.getConfigMapRef().getName() != null) {
            ConfigRef r = new ConfigRef(Kind.CONFIG_MAP, ef.getConfigMapRef().getName());
            visitor.accept(r, optional(ef.getConfigMapRef().getOptional()), n -> ef.getConfigMapRef().setName(n));
          }
          if (ef.getSecretRef() != null && ef.getSecretRef().getName() != null) {
            ConfigRef r = new ConfigRef(Kind.SECRET, ef.getSecretRef().getName());
            visitor.accept(r, optional(ef.getSecretRef().getOptional()), n -> ef.getSecretRef().setName(n));
          }
        }
      }
    }
  }

  /** A reference, whether the pod spec marks it {@code optional}, and a way to rename it in place. */
  @FunctionalInterface
  private interface RefVisitor {
    void accept(ConfigRef ref, boolean optional, Consumer<String> rename);
  }
}
