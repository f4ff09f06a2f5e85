package dev.bunting.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The cluster of one test run, shared by every {@link LocalCluster} test class in the JVM: where it came from, the
 * Vert.x instance and fabric8 client the tests use, and what has been installed into it. Created at most once per
 * JVM (thread-safe), closed when the test run ends.
 */
public final class ClusterSession implements AutoCloseable {
  private static final Object LOCK = new Object();
  private static ClusterSession shared;
  private static RuntimeException sharedFailure;

  private final ClusterSettings settings;
  private final String description;
  private final Path kubeconfigFile;
  private final Vertx vertx;
  private final KubernetesClient client;
  private final AutoCloseable backend;
  private final ManifestWriter writer;
  private final Set<String> installedBundles = new HashSet<>();
  private Optional<Path> kubectl;

  private ClusterSession(ClusterSettings settings, String description, Path kubeconfigFile, Vertx vertx,
      KubernetesClient client, AutoCloseable backend) {
    this.settings = settings;
    this.description = description;
    this.kubeconfigFile = kubeconfigFile;
    this.vertx = vertx;
    this.client = client;
    this.backend = backend;
    this.writer = new ManifestWriter(client);
  }

  /** The JVM's session, opened (cluster up, CRDs installed) by the first caller. A failure is remembered. */
  static ClusterSession shared(ClusterSettings settings) {
    synchronized (LOCK) {
      if (shared != null) {
        return shared;
      }
      if (sharedFailure != null) {
        throw new IllegalStateException("the test cluster could not be prepared earlier in this run", sharedFailure);
      }
      try {
        shared = open(settings);
        return shared;
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
    }
  }

  /** Whether Docker is reachable, for the K3s backend; computed once. */
  static Optional<String> dockerUnavailableReason() {
    synchronized (LOCK) {
      if (dockerProbe == null) {
        dockerProbe = probeDocker();
      }
      return dockerProbe;
    }
  }

  private static Optional<String> dockerProbe;

  private static Optional<String> probeDocker() {
    try {
      return DockerClientFactory.instance().isDockerAvailable()
          ? Optional.empty()
          : Optional.of("no Docker engine is available (Testcontainers found no valid Docker environment)");
    } catch (RuntimeException | LinkageError e) {
      return Optional.of("no Docker engine is available (" + e + ")");
    }
  }

  private static ClusterSession open(ClusterSettings settings) {
    Vertx vertx = Vertx.vertx();
    try {
      ClusterSession session = switch (settings.backend()) {
        case LOCAL -> openLocal(settings, vertx);
        case K3S -> openK3s(settings, vertx);
      };
      log("cluster: " + session.description + " (Kubernetes " + session.client.getKubernetesVersion().getGitVersion()
          + ", " + session.client.getMasterUrl() + ")");
      session.installCrds();
      return session;
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  private static ClusterSession openLocal(ClusterSettings settings, Vertx vertx) {
    if (settings.kubeconfigEnv().isPresent()) {
      String env = settings.kubeconfigEnv().get();
      Path file = Path.of(env.split(java.io.File.pathSeparator)[0]);
      Optional<KubernetesClient> client = reachableClient(file, vertx);
      if (client.isPresent()) {
        return new ClusterSession(settings, "KUBECONFIG=" + file, file, vertx, client.get(), () -> {});
      }
      log("KUBECONFIG=" + env + " is not reachable; starting the local control plane instead");
    }
    Path script = settings.clusterScript();
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException("no cluster: KUBECONFIG is not set and " + script + " is missing or not executable"
          + " (set -Dbunting.projectDir to the project root)");
    }
    runStreaming(settings, settings.upTimeout(), script.toString(), "up");
    Path kubeconfig = Path.of(runCapturing(settings, script.toString(), "kubeconfig").trim());
    KubernetesClient client = reachableClient(kubeconfig, vertx).orElseThrow(() -> new IllegalStateException(
        "scripts/local-cluster up finished but the API server in " + kubeconfig + " is not reachable"));
    return new ClusterSession(settings, "local control plane (scripts/local-cluster, " + kubeconfig + ")", kubeconfig,
        vertx, client, () -> {});
  }

  private static ClusterSession openK3s(ClusterSettings settings, Vertx vertx) {
    Optional<String> noDocker = dockerUnavailableReason();
    if (noDocker.isPresent()) {
      throw new IllegalStateException("K3s backend: " + noDocker.get());
    }
    log("starting K3s (" + settings.k3sImage() + ")");
    K3sContainer k3s = new K3sContainer(DockerImageName.parse(settings.k3sImage()));
    k3s.start();
    try {
      Path kubeconfig = Files.createTempFile("bunting-k3s-", ".kubeconfig",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
      kubeconfig.toFile().deleteOnExit();
      KubernetesClient client = clientFor(Config.fromKubeconfig(k3s.getKubeConfigYaml()), vertx);
      return new ClusterSession(settings, "K3s " + settings.k3sImage(), kubeconfig, vertx, client, k3s::stop);
    } catch (IOException e) {
      k3s.stop();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      k3s.stop();
      throw e;
    }
  }

  private static Optional<KubernetesClient> reachableClient(Path kubeconfig, Vertx vertx) {
    if (!Files.isRegularFile(kubeconfig)) {
      return Optional.empty();
    }
    KubernetesClient client = null;
    try {
      client = clientFor(Config.fromKubeconfig(Files.readString(kubeconfig)), vertx);
      client.getKubernetesVersion();
      return Optional.of(client);
    } catch (IOException | RuntimeException e) {
      log("cannot reach the API server of " + kubeconfig + ": " + e.getMessage());
      if (client != null) {
        client.close();
      }
      return Optional.empty();
    }
  }

  private static KubernetesClient clientFor(Config config, Vertx vertx) {
    config.setConnectionTimeout(5_000);
    // tests assert what the server answers: no silent retries of 5xx answers
    config.setRequestRetryBackoffLimit(0);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // what gets installed

  private void installCrds() {
    Path dir = settings.crdDir();
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("no CRD directory " + dir + " (set -Dbunting.projectDir to the project root)");
    }
    installBundle("crds", Manifests.yamlFiles(dir));
  }

  /**
   * Installs another project's CRDs ({@link ThirdPartyCrds}, e.g. {@code gateway-api}, {@code istio}), once per run.
   */
  public void ensureThirdPartyCrds(String bundle) {
    synchronized (installedBundles) {
      if (!installedBundles.contains(bundle)) {
        installBundle(bundle, ThirdPartyCrds.files(settings.projectDir(), bundle));
      }
    }
  }

  private void installBundle(String name, List<Path> files) {
    synchronized (installedBundles) {
      if (installedBundles.contains(name)) {
        return;
      }
      List<GenericKubernetesResource> objects = new ArrayList<>();
      files.forEach(f -> objects.addAll(Manifests.objects(f)));
      writer.apply(objects, null);
      List<String> crds = objects.stream()
          .filter(o -> "CustomResourceDefinition".equals(o.getKind()))
          .map(o -> o.getMetadata().getName())
          .toList();
      Awaitility.await("CRDs " + crds + " Established and served")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> crds.stream().allMatch(this::isServed));
      installedBundles.add(name);
      log("installed " + name + ": " + crds);
    }
  }

  private boolean isServed(String crdName) {
    CustomResourceDefinition crd =
        client.apiextensions().v1().customResourceDefinitions().withName(crdName).get();
    if (crd == null || crd.getStatus() == null || crd.getStatus().getConditions() == null) {
      return false;
    }
    boolean established = crd.getStatus().getConditions().stream()
        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    boolean namesAccepted = crd.getStatus().getConditions().stream()
        .map(CustomResourceDefinitionCondition::getType)
        .anyMatch("NamesAccepted"::equals);
    if (!established || !namesAccepted) {
      return false;
    }
    String group = crd.getSpec().getGroup();
    return crd.getSpec().getVersions().stream()
        .filter(v -> Boolean.TRUE.equals(v.getServed()))
        .allMatch(v -> {
          var list = client.getApiResources(group + "/" + v.getName());
          return list != null && list.getResources().stream()
              .anyMatch(r -> r.getName().equals(crd.getSpec().getNames().getPlural()));
        });
  }

  // ---------------------------------------------------------------------------------------------
  // accessors

  public KubernetesClient client() {
    return client;
  }

  public Vertx vertx() {
    return vertx;
  }

  public ClusterSettings settings() {
    return settings;
  }

  public String description() {
    return description;
  }

  /** A kubeconfig file for this cluster (for kubectl and other tools). */
  public Path kubeconfigFile() {
    return kubeconfigFile;
  }

  ManifestWriter writer() {
    return writer;
  }

  /** The built {@code kubectl} ({@code scripts/local-cluster bin-dir}), else the one on the PATH, if any. */
  public synchronized Optional<Path> kubectl() {
    if (kubectl == null) {
      kubectl = findKubectl();
    }
    return kubectl;
  }

  private Optional<Path> findKubectl() {
    Path script = settings.clusterScript();
    if (Files.isExecutable(script)) {
      try {
        Path candidate = Path.of(runCapturing(settings, script.toString(), "bin-dir").trim()).resolve("kubectl");
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      } catch (RuntimeException e) {
        log("scripts/local-cluster bin-dir failed: " + e.getMessage());
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(dir, "kubectl");
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    synchronized (LOCK) {
      if (shared == this) {
        shared = null;
      }
    }
    client.close();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log("closing Vert.x: " + e);
    }
    try {
      backend.close();
    } catch (Exception e) {
      log("stopping the cluster backend: " + e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // processes

  /** Runs a command in the project directory, copying its output line by line to the test output. */
  private static void runStreaming(ClusterSettings settings, Duration timeout, String... command) {
    log("running " + String.join(" ", command) + " (up to " + timeout.toMinutes() + " min; a cold build of the binaries takes about 15 min)");
    ProcessBuilder pb = new ProcessBuilder(command).directory(settings.projectDir().toFile()).redirectErrorStream(true);
    try {
      Process process = pb.start();
      process.getOutputStream().close();
      Thread pump = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = out.readLine()) != null) {
            System.out.println(line);
          }
        } catch (IOException ignored) {
          // the process went away; its exit code tells the rest
        }
      }, "local-cluster-output");
      pump.setDaemon(true);
      pump.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
      }
      pump.join(5_000);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + process.exitValue()
            + " (its output is above in the test output)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    }
  }

  /** Runs a short command in the project directory and returns its stdout. */
  private static String runCapturing(ClusterSettings settings, String... command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(settings.projectDir().toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    try {
      Process process = pb.start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void log(String message) {
    System.out.println("[bunting-tests] " + message);
  }
}
