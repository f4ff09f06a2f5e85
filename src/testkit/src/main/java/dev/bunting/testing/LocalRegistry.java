package dev.bunting.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real OCI registry for tests and the playground: Debian's {@code docker-registry} package (the CNCF distribution
 * registry, {@code /usr/bin/docker-registry}) run as a process on a free port of 127.0.0.1, plain http, with its
 * storage in a directory of its own and HTTP basic auth from an htpasswd file (bcrypt). {@link #push} publishes an
 * image the way a build does, with plain registry API calls (no Docker engine): a config blob, one empty layer and
 * an image manifest per tag.
 *
 * <pre>{@code
 * assumeTrue(LocalRegistry.isAvailable(), LocalRegistry.UNAVAILABLE);
 * try (LocalRegistry registry = LocalRegistry.start(dir, "bunting", "secret")) {
 *   registry.push("team/app", "1.0.0");
 *   ... registry.host() + "/team/app" ...
 * }
 * }</pre>
 *
 * Blocking: call it from a test or a worker thread, never from a Vert.x event loop.
 */
public final class LocalRegistry implements AutoCloseable {
  /** A reason to give JUnit when {@link #isAvailable()} is false. */
  public static final String UNAVAILABLE = "the CNCF distribution registry is not installed at " + binary()
      + " (apt-get install -y docker-registry; scripts/setup installs it)";
  private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String CONFIG = "application/vnd.oci.image.config.v1+json";
  private static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

  private final Process process;
  private final int port;
  private final String authorization;
  private final Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LocalRegistry(Process process, int port, String username, String password, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.authorization = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
  }

  /** The registry binary: {@code $BUNTING_REGISTRY_BIN}, else Debian's. */
  public static Path binary() {
    String env = System.getenv("BUNTING_REGISTRY_BIN");
    return Path.of(env != null && !env.isBlank() ? env : "/usr/bin/docker-registry");
  }

  public static boolean isAvailable() {
    return Files.isExecutable(binary());
  }

  /**
   * Starts a registry storing under {@code dir} (created), accepting {@code username}/{@code password}; returns once it
   * answers.
   */
  public static LocalRegistry start(Path dir, String username, String password) {
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.writeString(dir.resolve("htpasswd"), username + ":" + bcrypt(password) + "\n");
      int port = freePort();
      Files.writeString(dir.resolve("config.yml"), """
          version: 0.1
          log:
            level: warn
            accesslog: {disabled: true}
          storage:
            filesystem: {rootdirectory: %s}
            delete: {enabled: true}
          http:
            addr: 127.0.0.1:%d
            secret: %s
          auth:
            htpasswd:
              realm: bunting-local-registry
              path: %s
          """.formatted(dir.resolve("data"), port, HexFormat.of().formatHex(random(16)), dir.resolve("htpasswd")));
      Process p = new ProcessBuilder(binary().toString(), "serve", dir.resolve("config.yml").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
      LocalRegistry registry = new LocalRegistry(p, port, username, password, dir);
      registry.awaitUp();
      return registry;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:<port>}: the registry part of image names. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  /** The log of the registry process. */
  public Path log() {
    return dir.resolve("registry.log");
  }

  private void awaitUp() {
    Instant end = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(end)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the registry exited: " + readLog());
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/"))
            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 401 || r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(100);
    }
    close();
    throw new IllegalStateException("the registry did not answer on " + host() + " within 30 s: " + readLog());
  }

  /** Pushes image {@code repository:tag}: a config blob naming the tag, an empty layer and the manifest. */
  public void push(String repository, String tag) {
    byte[] layer = gzip(new byte[1024]);
    String diffId = "sha256:" + sha256(new byte[1024]);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"org.opencontainers.image"
        + ".version\":\"" + tag + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}")
        .getBytes(StandardCharsets.UTF_8);
    String layerDigest = upload(repository, layer);
    String configDigest = upload(repository, config);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST + "\",\"config\":{\"mediaType\":\"" + CONFIG
        + "\",\"size\":" + config.length + ",\"digest\":\"" + configDigest + "\"},\"layers\":[{\"mediaType\":\""
        + LAYER + "\",\"size\":" + layer.length + ",\"digest\":\"" + layerDigest + "\"}]}";
    HttpResponse<String> r = send(HttpRequest.newBuilder(url("/v2/" + repository + "/manifests/" + tag))
        .header("Content-Type", MANIFEST).PUT(HttpRequest.BodyPublishers.ofString(manifest)));
    expect(r, 201, "PUT manifest " + repository + ":" + tag);
  }

  /** Deletes tag {@code repository:tag} (its manifest), as a registry clean-up would. */
  public void delete(String repository, String tag) {
    HttpResponse<String> head = send(HttpRequest.newBuilder(url("/v2/" + repository + "/manifests/" + tag))
        .header("Accept", MANIFEST).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    expect(head, 200, "HEAD manifest " + repository + ":" + tag);
    String digest = head.headers().firstValue("Docker-Content-Digest").orElseThrow();
    expect(send(HttpRequest.newBuilder(url("/v2/" + repository + "/manifests/" + digest)).DELETE()), 202,
        "DELETE manifest " + repository + ":" + tag);
  }

  private String upload(String repository, byte[] blob) {
    String digest = "sha256:" + sha256(blob);
    HttpResponse<String> start = send(HttpRequest.newBuilder(url("/v2/" + repository + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()));
    expect(start, 202, "POST blob upload");
    String location = start.headers().firstValue("Location").orElseThrow();
    URI target = URI.create("http://" + host()).resolve(location);
    String sep = target.getQuery() == null ? "?" : "&";
    HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(target + sep + "digest=" + digest))
        .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(blob)));
    expect(put, 201, "PUT blob " + digest);
    return digest;
  }

  private URI url(String path) {
    return URI.create("http://" + host() + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder req) {
    try {
      return http.send(req.header("Authorization", authorization).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void expect(HttpResponse<String> r, int code, String what) {
    if (r.statusCode() != code) {
      throw new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + r.body());
    }
  }

  private String readLog() {
    try {
      return Files.readString(log());
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static String bcrypt(String password) {
    return OpenBSDBCrypt.generate("2y", password.toCharArray(), random(16), 6);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
