package dev.bunting.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * One test class's view of the cluster: its namespace, the shared client, and the helpers cluster tests need (apply
 * manifests with server-side apply, wait with Awaitility, run kubectl). Namespaces it created are deleted when the
 * test class ends (unless {@code -Dbunting.keepNamespaces=true}).
 */
public final class TestCluster implements AutoCloseable {
  /** How long {@link #await()} waits by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final ClusterSession session;
  private final String namespace;
  private final List<String> createdNamespaces = new CopyOnWriteArrayList<>();

  private TestCluster(ClusterSession session, String namespace) {
    this.session = session;
    this.namespace = namespace;
  }

  /** Creates the class's namespace {@code t-<class, kebab-case, without Test>-<5 random characters>}. */
  static TestCluster forClass(ClusterSession session, Class<?> testClass) {
    TestCluster cluster = new TestCluster(session, namespaceName(testClass.getSimpleName()));
    cluster.create(cluster.namespace, testClass.getName());
    return cluster;
  }

  static String namespaceName(String classSimpleName) {
    String shortName = classSimpleName.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9-]+", "-").replaceAll("(^-+|-+$)", "").replaceAll("-test$", "");
    if (shortName.length() > 32) {
      shortName = shortName.substring(0, 32).replaceAll("-+$", "");
    }
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return "t-" + (shortName.isEmpty() ? "test" : shortName) + "-" + suffix;
  }

  // ---------------------------------------------------------------------------------------------
  // namespaces

  /** The test class's namespace. */
  public String namespace() {
    return namespace;
  }

  /**
   * Creates another namespace {@code <namespace>-<suffix>} for this test class (for manifests whose names would clash
   * in one namespace); deleted with the class's namespace.
   */
  public String createNamespace(String suffix) {
    String name = (namespace + "-" + suffix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-"));
    if (name.length() > 63) {
      name = name.substring(0, 63);
    }
    name = name.replaceAll("-+$", "");
    create(name, null);
    return name;
  }

  private void create(String name, String testClass) {
    var builder = new NamespaceBuilder().withNewMetadata().withName(name)
        .addToLabels("bunting.dev/test", "true");
    if (testClass != null) {
      builder = builder.addToAnnotations("bunting.dev/test-class", testClass);
    }
    client().namespaces().resource(builder.endMetadata().build()).create();
    createdNamespaces.add(name);
    ClusterSession.log("namespace " + name + " created");
  }

  /** Deletes the namespaces this test class created (the namespace controller removes their contents). */
  @Override
  public void close() {
    if (session.settings().keepNamespaces()) {
      ClusterSession.log("keeping namespaces " + createdNamespaces + " (bunting.keepNamespaces=true)");
      return;
    }
    for (String name : createdNamespaces) {
      try {
        // the test's controller is stopped by now: nothing would remove GitSync finalizers
        NamespaceTeardown.releaseFinalizers(client(), name);
        client().namespaces().withName(name).delete();
      } catch (RuntimeException e) {
        ClusterSession.log("could not delete namespace " + name + ": " + e.getMessage());
      }
    }
    createdNamespaces.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // client and apply

  public KubernetesClient client() {
    return session.client();
  }

  /** The Vert.x instance the client runs on (owned by the test run; do not close it). */
  public Vertx vertx() {
    return session.vertx();
  }

  public ClusterSession session() {
    return session;
  }

  /** Server-side applies every object of the YAML text into this class's namespace; returns them as stored. */
  public List<HasMetadata> apply(String yaml) {
    return applyIn(namespace, yaml);
  }

  /** Server-side applies every object of the file into this class's namespace; returns them as stored. */
  public List<HasMetadata> apply(Path file) {
    return applyIn(namespace, Manifests.read(file));
  }

  /**
   * Server-side applies (field manager {@code bunting-tests}, forced, {@code fieldValidation=Strict}) every object of
   * the YAML text; namespaced objects go into {@code targetNamespace}. Returns the objects as the API server stored
   * them. A rejected object throws {@code KubernetesClientException} with the server's message.
   */
  public List<HasMetadata> applyIn(String targetNamespace, String yaml) {
    List<GenericKubernetesResource> objects = Manifests.objects(yaml);
    return session.writer().apply(objects, targetNamespace);
  }

  /**
   * Creates (POST, {@code fieldValidation=Strict}) every object of the YAML text in this class's namespace, as
   * {@code kubectl create} does; returns them as stored. A rejected object throws {@code KubernetesClientException}.
   */
  public List<HasMetadata> create(String yaml) {
    return session.writer().create(Manifests.objects(yaml), namespace);
  }

  /** Installs another project's CRDs, as that project publishes them ({@link ThirdPartyCrds}; once per run). */
  public void installThirdPartyCrds(String... bundles) {
    for (String bundle : bundles) {
      session.ensureThirdPartyCrds(bundle);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // waiting

  /** Awaitility, polling every 250 ms for up to {@link #DEFAULT_TIMEOUT}, exceptions while polling ignored. */
  public ConditionFactory await() {
    return await(DEFAULT_TIMEOUT);
  }

  /** Awaitility, polling every 250 ms for up to {@code timeout}, exceptions while polling ignored. */
  public ConditionFactory await(Duration timeout) {
    return Awaitility.await()
        .atMost(timeout)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions();
  }

  // ---------------------------------------------------------------------------------------------
  // kubectl

  /**
   * Runs the built kubectl ({@code scripts/local-cluster bin-dir}, else the one on the PATH) against this cluster.
   * Aborts (skips) the test when there is no kubectl at all.
   */
  public KubectlResult kubectl(String... args) {
    Path kubectl = session.kubectl().orElse(null);
    Assumptions.assumeTrue(kubectl != null,
        "no kubectl: run scripts/local-cluster build, or put kubectl on the PATH");
    List<String> command = new ArrayList<>();
    command.add(kubectl.toString());
    command.add("--kubeconfig=" + session.kubeconfigFile());
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("kubectl-", ".out");
      Path err = Files.createTempFile("kubectl-", ".err");
      try {
        Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new AssertionError("kubectl did not finish within 2 minutes: " + String.join(" ", command));
        }
        return new KubectlResult(command, process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
