package dev.bunting.gitops;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PfxOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser.PacketLineOutRefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A Git smart-HTTP server for tests, in Vert.x with JGit's {@link UploadPack} (fetch and ls-remote) and
 * {@link ReceivePack} (push), over TLS with a throwaway certificate for {@code localhost}/{@code 127.0.0.1}, with HTTP
 * basic auth or a bearer token. Serves one repository at {@code /repo.git}. {@link #refusePushes} makes a pre-receive
 * hook refuse every push with a message, as a protected branch does.
 */
public final class GitHttpServer implements AutoCloseable {
  private final Vertx vertx;
  private final Path repoDir;
  private final String username;
  private final String password;
  private final String bearer;
  private final String caPem;
  private final HttpServer server;
  private final AtomicInteger uploads = new AtomicInteger();
  private final AtomicInteger pushes = new AtomicInteger();
  private final AtomicInteger refusedCredentials = new AtomicInteger();
  private volatile String refusal;

  private GitHttpServer(Vertx vertx, Path repoDir, String username, String password, String bearer, Path workDir)
      throws Exception {
    this.vertx = vertx;
    this.repoDir = repoDir;
    this.username = username;
    this.password = password;
    this.bearer = bearer;
    Path ks = workDir.resolve("server.p12");
    keytool(workDir, "-genkeypair", "-alias", "git", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
        "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", ks.toString(),
        "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
    Path pem = workDir.resolve("ca.crt");
    keytool(workDir, "-exportcert", "-rfc", "-alias", "git", "-keystore", ks.toString(), "-storepass", "changeit",
        "-file", pem.toString());
    this.caPem = Files.readString(pem);
    this.server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setDecompressionSupported(true)
            .setKeyCertOptions(new PfxOptions().setPath(ks.toString()).setPassword("changeit")))
        .requestHandler(this::handle)
        .listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
  }

  /** Serves {@code repoDir} (a non-bare repository's directory) with basic auth {@code username}/{@code password}. */
  public static GitHttpServer basicAuth(Vertx vertx, Path repoDir, String username, String password, Path workDir)
      throws Exception {
    return new GitHttpServer(vertx, repoDir, username, password, null, workDir);
  }

  public static GitHttpServer bearer(Vertx vertx, Path repoDir, String token, Path workDir) throws Exception {
    return new GitHttpServer(vertx, repoDir, null, null, token, workDir);
  }

  public String url() {
    return "https://127.0.0.1:" + server.actualPort() + "/repo.git";
  }

  /** The server's certificate (self-signed), as the Secret's {@code ca.crt}. */
  public String caPem() {
    return caPem;
  }

  /** How many fetches (upload-pack POSTs) were served. */
  public int uploads() {
    return uploads.get();
  }

  /** How many pushes (receive-pack POSTs) were served, refused ones included. */
  public int pushes() {
    return pushes.get();
  }

  /** How many requests carried credentials that the server refused (401). */
  public int refusedCredentials() {
    return refusedCredentials.get();
  }

  /** From now on a pre-receive hook refuses every push with {@code message} (null: accept pushes again). */
  public void refusePushes(String message) {
    this.refusal = message;
  }

  private boolean authorized(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    if (auth == null) {
      return false;
    }
    if (bearer != null) {
      return auth.equals("Bearer " + bearer);
    }
    String expected = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
    return auth.equals(expected);
  }

  private void handle(HttpServerRequest req) {
    if (!authorized(req)) {
      if (req.getHeader("Authorization") != null) {
        refusedCredentials.incrementAndGet();
      }
      req.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"git\"").end();
      return;
    }
    String path = req.path();
    if (req.method().name().equals("GET") && path.equals("/repo.git/info/refs")
        && "git-receive-pack".equals(req.getParam("service"))) {
      vertx.<Buffer>executeBlocking(() -> {
        try (Repository repo = open()) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          PacketLineOut pck = new PacketLineOut(out);
          pck.writeString("# service=git-receive-pack\n");
          pck.end();
          ReceivePack rp = new ReceivePack(repo);
          rp.setBiDirectionalPipe(false);
          rp.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(pck));
          return Buffer.buffer(out.toByteArray());
        }
      }).onSuccess(b -> req.response().putHeader("Content-Type", "application/x-git-receive-pack-advertisement")
          .putHeader("Cache-Control", "no-cache").end(b))
          .onFailure(e -> req.response().setStatusCode(500).end(String.valueOf(e.getMessage())));
      return;
    }
    if (req.method().name().equals("POST") && path.equals("/repo.git/git-receive-pack")) {
      req.body().compose(body -> vertx.<Buffer>executeBlocking(() -> {
        pushes.incrementAndGet();
        try (Repository repo = open()) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          ReceivePack rp = new ReceivePack(repo);
          rp.setBiDirectionalPipe(false);
          String refuse = refusal;
          if (refuse != null) {
            rp.setPreReceiveHook((pack, commands) -> commands.forEach(c -> c.setResult(
                ReceiveCommand.Result.REJECTED_OTHER_REASON, refuse)));
          }
          rp.receive(new ByteArrayInputStream(body.getBytes()), out, null);
          return Buffer.buffer(out.toByteArray());
        }
      })).onSuccess(b -> req.response().putHeader("Content-Type", "application/x-git-receive-pack-result").end(b))
          .onFailure(e -> req.response().setStatusCode(500).end(String.valueOf(e.getMessage())));
      return;
    }
    if (req.method().name().equals("GET") && path.equals("/repo.git/info/refs")
        && "git-upload-pack".equals(req.getParam("service"))) {
      vertx.<Buffer>executeBlocking(() -> {
        try (Repository repo = open()) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          PacketLineOut pck = new PacketLineOut(out);
          pck.writeString("# service=git-upload-pack\n");
          pck.end();
          UploadPack up = new UploadPack(repo);
          up.setBiDirectionalPipe(false);
          up.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(pck));
          return Buffer.buffer(out.toByteArray());
        }
      }).onSuccess(b -> req.response().putHeader("Content-Type", "application/x-git-upload-pack-advertisement")
          .putHeader("Cache-Control", "no-cache").end(b))
          .onFailure(e -> req.response().setStatusCode(500).end(String.valueOf(e.getMessage())));
      return;
    }
    if (req.method().name().equals("POST") && path.equals("/repo.git/git-upload-pack")) {
      req.body().compose(body -> vertx.<Buffer>executeBlocking(() -> {
        uploads.incrementAndGet();
        try (Repository repo = open()) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          UploadPack up = new UploadPack(repo);
          up.setBiDirectionalPipe(false);
          up.upload(new ByteArrayInputStream(body.getBytes()), out, null);
          return Buffer.buffer(out.toByteArray());
        }
      })).onSuccess(b -> req.response().putHeader("Content-Type", "application/x-git-upload-pack-result").end(b))
          .onFailure(e -> {
            e.printStackTrace();
            req.response().setStatusCode(500).end(String.valueOf(e.getMessage()));
          });
      return;
    }
    req.response().setStatusCode(404).end();
  }

  private Repository open() throws java.io.IOException {
    File gitDir = Files.isDirectory(repoDir.resolve(".git")) ? repoDir.resolve(".git").toFile() : repoDir.toFile();
    return new FileRepositoryBuilder().setGitDir(gitDir).setMustExist(true).build();
  }

  private static void keytool(Path dir, String... args) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(keytool));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
