package dev.bunting.gitops;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.command.AbstractCommandSupport;
import org.apache.sshd.server.command.CommandFactory;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.UploadPack;

/**
 * An ssh Git server for tests (Apache MINA sshd with JGit's {@link UploadPack}): one host key, public-key auth for one
 * client key, serves {@code git-upload-pack '/repo.git'} from a repository directory.
 */
public final class GitSshServer implements AutoCloseable {
  private final SshServer sshd;
  private final KeyPair hostKey;
  private final KeyPair clientKey;

  public GitSshServer(Path repoDir) throws Exception {
    this.hostKey = ecKey();
    this.clientKey = ecKey();
    sshd = SshServer.setUpDefaultServer();
    sshd.setHost("127.0.0.1");
    sshd.setPort(0);
    sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    sshd.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, clientKey.getPublic()));
    sshd.setPasswordAuthenticator(null);
    sshd.setKeyboardInteractiveAuthenticator(null);
    CommandFactory commands = (channel, command) -> new AbstractCommandSupport(command, null) {
      @Override
      public void run() {
        List<String> parts = CommandFactory.split(command);
        try {
          if (parts.size() != 2 || !parts.get(0).equals("git-upload-pack")) {
            getErrorStream().write(("unsupported command: " + command + "\n").getBytes());
            getErrorStream().flush();
            onExit(1, "unsupported");
            return;
          }
          File gitDir = Files.isDirectory(repoDir.resolve(".git")) ? repoDir.resolve(".git").toFile()
              : repoDir.toFile();
          try (Repository repo = new FileRepositoryBuilder().setGitDir(gitDir).setMustExist(true).build()) {
            new UploadPack(repo).upload(getInputStream(), getOutputStream(), getErrorStream());
          }
          onExit(0);
        } catch (IOException e) {
          onExit(1, e.getMessage());
        }
      }
    };
    sshd.setCommandFactory(commands);
    sshd.start();
  }

  private static KeyPair ecKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  public int port() {
    return sshd.getPort();
  }

  public String url() {
    return "ssh://git@127.0.0.1:" + port() + "/repo.git";
  }

  /** The client's private key in OpenSSH form (the Secret's {@code identity}), as ssh-keygen writes it. */
  public String identityPem() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(clientKey, "bunting-test",
        (org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext) null, out);
    return out.toString(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** A known_hosts line for this server's real host key. */
  public String knownHosts() {
    return line(hostKey.getPublic());
  }

  /** A known_hosts line for this server's address but another key: what a man in the middle would look like. */
  public String wrongKnownHosts() throws Exception {
    return line(ecKey().getPublic());
  }

  private String line(PublicKey key) {
    return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(key) + "\n";
  }

  @Override
  public void close() throws IOException {
    sshd.stop(true);
  }
}
