package dev.bunting.gitops;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Proxy;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Git credentials from a GitSync's Secret, with Flux's key names: {@code username} + {@code password} or
 * {@code bearerToken} (https), {@code ca.crt} (https, trusted instead of the system CAs), {@code identity} (a private key
 * in OpenSSH or PEM format), {@code known_hosts} (required for ssh) and optional {@code password} for an encrypted key.
 * {@link #toString()} never shows a secret; {@link #hash()} tells credential sets apart for the mirror cache.
 */
public final class GitCredentials {
  public static final GitCredentials NONE = new GitCredentials(null, Map.of());

  private final String secretName;
  private final String username;
  private final String password;
  private final String bearerToken;
  private final String caCert;
  private final String identity;
  private final String knownHosts;

  private GitCredentials(String secretName, Map<String, String> data) {
    this.secretName = secretName;
    this.username = blankToNull(data.get("username"));
    this.password = blankToNull(data.get("password"));
    this.bearerToken = blankToNull(data.get("bearerToken"));
    this.caCert = blankToNull(data.getOrDefault("ca.crt", data.get("caFile")));
    this.identity = blankToNull(data.get("identity"));
    this.knownHosts = blankToNull(data.get("known_hosts"));
  }

  /** Credentials from decoded Secret data (key → UTF-8 text). */
  public static GitCredentials fromSecret(String secretName, Map<String, String> data) {
    return new GitCredentials(secretName, data);
  }

  /** Checks that these credentials fit {@code url}; the message says which key is missing or wrong. */
  public void validateFor(String url) throws GitException {
    String scheme = scheme(url);
    String where = secretName == null ? "" : " in Secret " + secretName;
    if (scheme.equals("ssh")) {
      if (secretName == null) {
        throw new GitException(GitException.INVALID_CREDENTIALS,
            "ssh URLs need spec.secretRef with 'identity' and 'known_hosts'");
      }
      if (knownHosts == null) {
        throw new GitException(GitException.INVALID_CREDENTIALS, "'known_hosts' is required" + where
            + " for ssh URLs (host keys are never accepted blindly)");
      }
      if (identity == null) {
        throw new GitException(GitException.INVALID_CREDENTIALS, "'identity' (a private key) is required" + where
            + " for ssh URLs");
      }
    } else if (scheme.equals("http") && (password != null || bearerToken != null)) {
      throw new GitException(GitException.INVALID_CREDENTIALS,
          "refusing to send credentials over plain http; use an https URL");
    } else if ((scheme.equals("https") || scheme.equals("http")) && username != null && password == null) {
      throw new GitException(GitException.INVALID_CREDENTIALS, "'password' is missing" + where
          + " ('username' is set)");
    }
  }

  /** A digest of the credentials, for naming the mirror; equal credentials share a mirror. */
  public String hash() {
    return DriftCheck.sha256(String.join("\u0000", String.valueOf(username), String.valueOf(password),
        String.valueOf(bearerToken), String.valueOf(caCert), String.valueOf(identity), String.valueOf(knownHosts)));
  }

  /**
   * Configures {@code cmd} for these credentials; close the returned handle when the command is done.
   *
   * @param home an empty private directory used as the ssh home (the process's own {@code ~/.ssh} is never read)
   */
  Session configure(TransportCommand<?, ?> cmd, Path home) throws GitException {
    Session session = new Session();
    if (username != null && password != null) {
      cmd.setCredentialsProvider(new UsernamePasswordCredentialsProvider(username, password));
    } else if (password != null) {
      cmd.setCredentialsProvider(new UsernamePasswordCredentialsProvider("git", password));
    }
    HttpConnectionFactory http = caCert == null ? null : trustingFactory(caCert);
    if (identity != null && knownHosts != null) {
      session.knownHosts = knownHosts();
      Iterable<KeyPair> keys = keyPairs();
      KnownHosts db = session.knownHosts;
      session.ssh = new SshdSessionFactoryBuilder()
          .setHomeDirectory(home.toFile())
          .setSshDirectory(home.resolve(".ssh").toFile())
          .setPreferredAuthentications("publickey")
          .setDefaultKeysProvider(dir -> keys)
          .setServerKeyDatabase((h, s) -> db)
          .setConfigStoreFactory((h, f, u) -> null)
          .build(null);
    }
    String bearer = bearerToken;
    SshdSessionFactory ssh = session.ssh;
    cmd.setTransportConfigCallback(t -> {
      if (t instanceof TransportHttp th) {
        if (bearer != null) {
          th.setAdditionalHeaders(Map.of("Authorization", "Bearer " + bearer));
        }
        if (http != null) {
          th.setHttpConnectionFactory(http);
        }
      } else if (t instanceof SshTransport st && ssh != null) {
        st.setSshSessionFactory(ssh);
      }
    });
    return session;
  }

  /** Removes every credential value from {@code text} (exception messages may echo what they were given). */
  public String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String s : new String[] {password, bearerToken}) {
      if (s != null && s.length() >= 4) {
        out = out.replace(s, "***");
      }
    }
    return out;
  }

  private KnownHosts knownHosts() throws GitException {
    try {
      KnownHosts kh = new KnownHosts(knownHosts);
      if (kh.size() == 0) {
        throw new GitException(GitException.INVALID_CREDENTIALS, "'known_hosts' in Secret " + secretName
            + " has no valid entry");
      }
      return kh;
    } catch (IOException | RuntimeException e) {
      throw new GitException(GitException.INVALID_CREDENTIALS, "'known_hosts' in Secret " + secretName
          + " cannot be read: " + e.getMessage());
    }
  }

  private Iterable<KeyPair> keyPairs() throws GitException {
    try {
      FilePasswordProvider pw = password == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(password);
      Iterable<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("identity"),
          new ByteArrayInputStream(identity.getBytes(StandardCharsets.UTF_8)), pw);
      if (keys == null || !keys.iterator().hasNext()) {
        throw new GitException(GitException.INVALID_CREDENTIALS, "'identity' in Secret " + secretName
            + " holds no private key");
      }
      List<KeyPair> list = new ArrayList<>();
      keys.forEach(list::add);
      return list;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new GitException(GitException.INVALID_CREDENTIALS, "'identity' in Secret " + secretName
          + " is not a usable private key: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + redact(e.getMessage())));
    }
  }

  private HttpConnectionFactory trustingFactory(String pem) throws GitException {
    TrustManager[] tms;
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      Collection<? extends Certificate> certs = cf.generateCertificates(
          new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certs.isEmpty()) {
        throw new GitException(GitException.INVALID_CREDENTIALS, "'ca.crt' in Secret " + secretName
            + " holds no certificate");
      }
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      tms = tmf.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new GitException(GitException.INVALID_CREDENTIALS, "'ca.crt' in Secret " + secretName
          + " cannot be read: " + e.getMessage());
    }
    JDKHttpConnectionFactory jdk = new JDKHttpConnectionFactory();
    return new HttpConnectionFactory() {
      @Override
      public HttpConnection create(URL url) throws IOException {
        return trust(jdk.create(url));
      }

      @Override
      public HttpConnection create(URL url, Proxy proxy) throws IOException {
        return trust(jdk.create(url, proxy));
      }

      private HttpConnection trust(HttpConnection c) throws IOException {
        if ("https".equalsIgnoreCase(c.getURL().getProtocol())) {
          try {
            c.configure(null, tms, null);
          } catch (GeneralSecurityException e) {
            throw new IOException(e);
          }
        }
        return c;
      }
    };
  }

  /** The URL without user info, safe for logs, messages and Events. */
  public static String safeUrl(String url) {
    try {
      URIish u = new URIish(url).setPass(null);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (scheme.startsWith("http")) {
        u = u.setUser(null);
      }
      return u.toString();
    } catch (URISyntaxException e) {
      return url.replaceAll("//[^/@]*@", "//");
    }
  }

  static String scheme(String url) {
    int i = url == null ? -1 : url.indexOf("://");
    return i < 0 ? "" : url.substring(0, i).toLowerCase(Locale.ROOT);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    return secretName == null ? "no credentials" : "credentials from Secret " + secretName;
  }

  /** What a configured command holds on to; closing it releases the ssh client. */
  static final class Session implements AutoCloseable {
    KnownHosts knownHosts;
    SshdSessionFactory ssh;

    /** Why the ssh host key was refused, or null. */
    String hostKeyRejection() {
      return knownHosts == null ? null : knownHosts.lastRejection();
    }

    @Override
    public void close() {
      if (ssh != null) {
        ssh.close();
      }
    }
  }
}
