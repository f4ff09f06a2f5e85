package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.gitops.ManifestRenderer.SourceFile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestRendererTest {
  private static final Map<String, String> OWNER = Map.of("gitsync.bunting.dev/name", "apps",
      "gitsync.bunting.dev/namespace", "flux");
  private final ManifestRenderer renderer = new ManifestRenderer((apiVersion, kind) -> switch (kind) {
    case "Namespace", "ClusterRole", "StorageClass" -> Optional.of(false);
    case "ConfigMap", "Deployment", "Service" -> Optional.of(true);
    default -> Optional.empty();
  });

  private static SourceFile file(String path, String text) {
    return new SourceFile(path, text.getBytes(StandardCharsets.UTF_8));
  }

  private static String cm(String name) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  k: v\n";
  }

  @Test
  void rendersFilesInPathOrderAndDocumentsInFileOrder() throws Exception {
    List<Manifest> out = renderer.render(List.of(
        file("b/z.yaml", cm("bz")),
        file("a.yml", cm("a1") + "---\n" + cm("a2") + "---\n"),
        file("b/a.yaml", "---\n" + cm("ba")),
        file("README.md", "# not yaml"),
        file("b/c.json", "{}")), "apps", OWNER);
    assertThat(out).extracting(m -> m.object().getMetadata().getName()).containsExactly("a1", "a2", "ba", "bz");
    assertThat(out).extracting(Manifest::origin).containsExactly("a.yml (document 1)", "a.yml (document 2)",
        "b/a.yaml (document 1)", "b/z.yaml (document 1)");
  }

  @Test
  void sameTreeRendersTheSameListWhateverTheInputOrder() throws Exception {
    List<SourceFile> files = List.of(file("x/1.yaml", cm("one")), file("x/2.yaml", cm("two")), file("0.yaml", cm("z")));
    List<SourceFile> reversed = List.of(files.get(2), files.get(1), files.get(0));
    assertThat(renderer.render(files, "ns", OWNER).stream().map(Manifest::key).toList())
        .isEqualTo(renderer.render(reversed, "ns", OWNER).stream().map(Manifest::key).toList());
  }

  @Test
  void namespacedObjectsWithoutNamespaceGetTheDefault() throws Exception {
    List<Manifest> out = renderer.render(List.of(file("all.yaml", cm("a")
        + "---\n" + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: other\n"
        + "---\n" + "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  namespace: ignored\n"
        + "---\n" + "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n")),
        "target", OWNER);
    assertThat(out).extracting(m -> m.key().toString())
        .containsExactly("ConfigMap/target/a", "ConfigMap/other/b", "Namespace/team", "ClusterRole/r");
    assertThat(out.get(2).object().getMetadata().getNamespace()).isNull();
  }

  @Test
  void scopeOfCustomKindsComesFromCrdsInTheSameRender() throws Exception {
    String crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Cluster
          names: {kind: Widget, plural: widgets}
        """;
    List<Manifest> out = renderer.render(List.of(file("crd.yaml", crd), file("w.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n")), "ns", OWNER);
    assertThat(out.get(1).key().namespaced()).isFalse();
    // an unknown kind without namespace is taken as namespaced; the dry run will say whether the kind exists
    List<Manifest> unknown = renderer.render(List.of(file("g.yaml",
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n")), "ns", OWNER);
    assertThat(unknown.get(0).key().namespace()).isEqualTo("ns");
  }

  @Test
  void everyObjectCarriesTheOwnerLabelsAndKeepsItsOwn() throws Exception {
    Manifest m = renderer.render(List.of(file("d.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {app: web}\n")), "ns", OWNER).get(0);
    assertThat(m.object().getMetadata().getLabels()).containsEntry("app", "web").containsAllEntriesOf(OWNER);
  }

  @Test
  void listsAreFlattenedAndKustomizationsIgnored() throws Exception {
    List<Manifest> out = renderer.render(List.of(
        file("list.yaml", "apiVersion: v1\nkind: List\nitems:\n- " + cm("x").replace("\n", "\n  ")
            + "\n- " + cm("y").replace("\n", "\n  ")),
        file("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")),
        "ns", OWNER);
    assertThat(out).extracting(m -> m.object().getMetadata().getName()).containsExactly("x", "y");
  }

  @Test
  void yamlErrorsNameTheFileAndDocument() {
    assertThatThrownBy(() -> renderer.render(List.of(file("ok.yaml", cm("a")),
        file("apps/bad.yaml", cm("b") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\n")), "ns", OWNER))
        .isInstanceOf(RenderException.class)
        .hasMessageStartingWith("apps/bad.yaml: document 2: invalid YAML")
        .satisfies(e -> assertThat(((RenderException) e).file()).isEqualTo("apps/bad.yaml"));
  }

  @Test
  void objectsWithoutKindOrNameAreRejectedWithTheirPlace() {
    assertThatThrownBy(() -> renderer.render(List.of(file("x.yaml", "foo: bar\n")), "ns", OWNER))
        .hasMessage("x.yaml: document 1: apiVersion is missing (is this a Kubernetes object?)");
    assertThatThrownBy(() -> renderer.render(List.of(file("x.yaml", cm("a") + "---\napiVersion: v1\nkind: Service\n"
        + "metadata: {}\n")), "ns", OWNER))
        .hasMessage("x.yaml: document 2: Service has no metadata.name");
    assertThatThrownBy(() -> renderer.render(List.of(file("x.yaml", "- a\n- b\n")), "ns", OWNER))
        .hasMessageContaining("x.yaml: document 1 is not a mapping");
  }

  @Test
  void duplicatesAreRejectedNamingBothPlaces() {
    assertThatThrownBy(() -> renderer.render(List.of(file("a.yaml", cm("same")), file("b.yaml", cm("same"))), "ns",
        OWNER)).hasMessage("ConfigMap/ns/same is defined twice: in a.yaml (document 1) and in b.yaml (document 1)");
  }

  @Test
  void hiddenDirectoriesAreNotManifests() {
    assertThat(ManifestRenderer.isManifestFile("apps/web.yaml")).isTrue();
    assertThat(ManifestRenderer.isManifestFile("apps/web.YML")).isTrue();
    assertThat(ManifestRenderer.isManifestFile(".github/workflows/ci.yml")).isFalse();
    assertThat(ManifestRenderer.isManifestFile("apps/.hidden.yaml")).isFalse();
    assertThat(ManifestRenderer.isManifestFile("apps/web.json")).isFalse();
  }
}
