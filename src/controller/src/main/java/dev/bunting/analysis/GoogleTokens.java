package dev.bunting.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * OAuth 2 access tokens for Google Cloud Monitoring, without Google's client libraries: from a service-account key
 * (the JSON key file's {@code client_email}, {@code private_key}, {@code token_uri}) with the JWT-bearer grant
 * (RFC 7523, an RS256-signed assertion for scope {@code monitoring.read}), or, with no key, from the GKE/GCE metadata
 * server (workload identity). Tokens are kept until a minute before they expire. Keys and tokens never appear in
 * messages.
 */
final class GoogleTokens {
  static final String SCOPE = "https://www.googleapis.com/auth/monitoring.read";
  static final String DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";
  static final String METADATA_URL =
      "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private record Token(String value, Instant expires) {}

  private final WebClient client;
  private final Clock clock;
  private final String metadataUrl;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  GoogleTokens(WebClient client, Clock clock) {
    this(client, clock, METADATA_URL);
  }

  GoogleTokens(WebClient client, Clock clock, String metadataUrl) {
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metadataUrl = metadataUrl;
  }

  /** A token for a service-account key (JSON), or from the metadata server when {@code keyJson} is null. */
  Future<String> token(String keyJson) {
    ServiceAccount account;
    try {
      account = keyJson == null ? null : ServiceAccount.parse(keyJson);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    String cacheKey = account == null ? "metadata" : account.email() + "|" + account.keyId() + "|" + account.tokenUri();
    Token cached = tokens.get(cacheKey);
    Instant now = clock.instant();
    if (cached != null && now.isBefore(cached.expires().minusSeconds(60))) {
      return Future.succeededFuture(cached.value());
    }
    Future<JsonNode> answer = account == null ? fromMetadata() : fromKey(account, now);
    return answer.map(json -> {
      String value = json.path("access_token").asText("");
      if (value.isEmpty()) {
        throw new IllegalStateException("the token answer has no access_token");
      }
      long expiresIn = json.path("expires_in").asLong(3600);
      tokens.put(cacheKey, new Token(value, now.plusSeconds(expiresIn)));
      return value;
    });
  }

  private Future<JsonNode> fromKey(ServiceAccount account, Instant now) {
    String assertion;
    try {
      assertion = account.assertion(now);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("serviceAccountKey: cannot sign with private_key: "
          + e.getClass().getSimpleName()));
    }
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer").add("assertion", assertion);
    return client.postAbs(account.tokenUri()).timeout(TIMEOUT.toMillis()).sendForm(form)
        .timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).map(r -> read(r.statusCode(), r.bodyAsString(),
            "token endpoint"));
  }

  private Future<JsonNode> fromMetadata() {
    return client.getAbs(metadataUrl).putHeader("Metadata-Flavor", "Google").timeout(TIMEOUT.toMillis()).send()
        .timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).map(r -> read(r.statusCode(), r.bodyAsString(),
            "metadata server (no serviceAccountKey in the Secret)"));
  }

  private static JsonNode read(int status, String body, String from) {
    if (status != 200) {
      throw new IllegalStateException("the " + from + " answered HTTP " + status);
    }
    return HttpMetricProvider.json(body == null ? "" : body);
  }

  /** The parts of a service-account key file that sign an assertion. */
  record ServiceAccount(String email, String keyId, String tokenUri, PrivateKey key) {
    static ServiceAccount parse(String json) {
      JsonNode node;
      try {
        node = JSON.readTree(json);
      } catch (Exception e) {
        throw new IllegalArgumentException("serviceAccountKey is not JSON");
      }
      String email = node == null ? "" : node.path("client_email").asText("");
      String pem = node == null ? "" : node.path("private_key").asText("");
      if (email.isEmpty() || pem.isEmpty()) {
        throw new IllegalArgumentException("serviceAccountKey needs client_email and private_key");
      }
      String uri = node.path("token_uri").asText("");
      try {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        return new ServiceAccount(email, node.path("private_key_id").asText(""),
            uri.isEmpty() ? DEFAULT_TOKEN_URI : uri, key);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IllegalArgumentException("serviceAccountKey: private_key is not a PKCS#8 RSA key");
      }
    }

    /** The signed JWT: iss = the account, aud = the token URI, one hour. */
    String assertion(Instant now) throws GeneralSecurityException {
      Map<String, Object> header = new LinkedHashMap<>();
      header.put("alg", "RS256");
      header.put("typ", "JWT");
      if (!keyId.isEmpty()) {
        header.put("kid", keyId);
      }
      Map<String, Object> claims = new LinkedHashMap<>();
      claims.put("iss", email);
      claims.put("scope", SCOPE);
      claims.put("aud", tokenUri);
      claims.put("iat", now.getEpochSecond());
      claims.put("exp", now.getEpochSecond() + 3600);
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String signingInput;
      try {
        signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
            + b64.encodeToString(JSON.writeValueAsBytes(claims));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(key);
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64.encodeToString(rsa.sign());
    }

    @Override
    public String toString() {
      return "ServiceAccount[" + email + "]";
    }
  }
}
