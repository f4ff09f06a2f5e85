package dev.bunting.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials from a {@code kubernetes.io/dockerconfigjson} Secret (key {@code .dockerconfigjson}, or the
 * older {@code .dockercfg}): {@code {"auths": {"host[:port]": {"username", "password"} or {"auth": base64(user:pass)}}}}.
 * Entries may be written as URLs ({@code https://index.docker.io/v1/}); they are matched by host. {@link #toString()}
 * shows no secret.
 */
public final class DockerConfig {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A username and password for one registry. */
  public record Credentials(String username, String password) {
    @Override
    public String toString() {
      return "Credentials[" + username + ", ***]";
    }
  }

  private final JsonNode auths;

  private DockerConfig(JsonNode auths) {
    this.auths = auths;
  }

  /** Reads the Secret's decoded data; a message for the user when it is not a Docker config. */
  public static DockerConfig fromSecretData(String secretName, Map<String, String> data) {
    String json = data.get(".dockerconfigjson");
    boolean legacy = false;
    if (json == null) {
      json = data.get(".dockercfg");
      legacy = true;
    }
    if (json == null) {
      throw new IllegalArgumentException("Secret " + secretName + " has no .dockerconfigjson key (make it with "
          + "kubectl create secret docker-registry)");
    }
    try {
      JsonNode root = JSON.readTree(json);
      JsonNode auths = legacy ? root : root.path("auths");
      if (!auths.isObject()) {
        throw new IllegalArgumentException("Secret " + secretName + ": .dockerconfigjson has no \"auths\" object");
      }
      return new DockerConfig(auths);
    } catch (IOException e) {
      throw new IllegalArgumentException("Secret " + secretName + ": .dockerconfigjson is not valid JSON");
    }
  }

  /** The credentials stored for {@code host} (Docker Hub under any of its names), if any. */
  public Optional<Credentials> forHost(String host, boolean dockerHub) {
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String h = hostOf(e.getKey());
      boolean match = h.equalsIgnoreCase(host) || (dockerHub && (h.equals("docker.io") || h.equals("index.docker.io")
          || h.equals("registry-1.docker.io")));
      if (match) {
        return credentials(e.getValue());
      }
    }
    return Optional.empty();
  }

  private static Optional<Credentials> credentials(JsonNode n) {
    String user = n.path("username").asText("");
    String pass = n.path("password").asText("");
    if (user.isEmpty() && !n.path("auth").asText("").isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(n.path("auth").asText()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException notBase64) {
        return Optional.empty();
      }
      int colon = decoded.indexOf(':');
      if (colon > 0) {
        user = decoded.substring(0, colon);
        pass = decoded.substring(colon + 1);
      }
    }
    return user.isEmpty() ? Optional.empty() : Optional.of(new Credentials(user, pass));
  }

  private static String hostOf(String key) {
    String k = key.replaceFirst("^[a-zA-Z]+://", "");
    int slash = k.indexOf('/');
    return slash < 0 ? k : k.substring(0, slash);
  }

  @Override
  public String toString() {
    return "DockerConfig[" + auths.size() + " registries]";
  }
}
