package dev.bunting.gitops;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a push webhook comes from someone who knows the receiver's token. Accepted, in this order:
 *
 * <ul>
 *   <li>GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>};
 *   <li>GitLab: {@code X-Gitlab-Token: <token>};
 *   <li>generic: {@code X-Signature: sha256=<hex>} or {@code sha512=<hex>} (HMAC of the body, Flux's generic-hmac).
 * </ul>
 *
 * All comparisons are constant-time. Anything else is rejected; the reason is for logs and never contains the token.
 */
public final class WebhookAuth {
  public static final String GITHUB_SIGNATURE = "X-Hub-Signature-256";
  public static final String GITLAB_TOKEN = "X-Gitlab-Token";
  public static final String GENERIC_SIGNATURE = "X-Signature";

  /** The outcome: accepted (with the scheme that matched) or rejected (with why). */
  public record Verdict(boolean accepted, String detail) {}

  private WebhookAuth() {}

  /**
   * Whether the request carries any of the headers {@link #verify} checks: one without them is rejected before the
   * receiver Secret is read, so junk costs no API request.
   */
  public static boolean presented(Function<String, String> headers) {
    return headers.apply(GITHUB_SIGNATURE) != null || headers.apply(GITLAB_TOKEN) != null
        || headers.apply(GENERIC_SIGNATURE) != null;
  }

  /**
   * @param headers header lookup, case-insensitive (e.g. Vert.x {@code request::getHeader})
   * @param body the raw request body
   * @param token the shared secret from the receiver Secret
   */
  public static Verdict verify(Function<String, String> headers, byte[] body, byte[] token) {
    if (token == null || token.length == 0) {
      return new Verdict(false, "the receiver Secret has no token");
    }
    String github = headers.apply(GITHUB_SIGNATURE);
    if (github != null) {
      return checkSignature("github", github, body, token, true);
    }
    String gitlab = headers.apply(GITLAB_TOKEN);
    if (gitlab != null) {
      boolean ok = MessageDigest.isEqual(sha256(gitlab.getBytes(StandardCharsets.UTF_8)), sha256(token));
      return new Verdict(ok, ok ? "gitlab" : "gitlab token does not match");
    }
    String generic = headers.apply(GENERIC_SIGNATURE);
    if (generic != null) {
      return checkSignature("generic", generic, body, token, false);
    }
    return new Verdict(false, "no " + GITHUB_SIGNATURE + ", " + GITLAB_TOKEN + " or " + GENERIC_SIGNATURE + " header");
  }

  private static Verdict checkSignature(String scheme, String header, byte[] body, byte[] token, boolean sha256Only) {
    int eq = header.indexOf('=');
    if (eq < 0) {
      return new Verdict(false, scheme + " signature header is not <algorithm>=<hex>");
    }
    String algo = header.substring(0, eq).trim().toLowerCase(Locale.ROOT);
    String macName = switch (algo) {
      case "sha256" -> "HmacSHA256";
      case "sha512" -> sha256Only ? null : "HmacSHA512";
      default -> null;
    };
    if (macName == null) {
      return new Verdict(false, scheme + " signature algorithm " + algo + " is not accepted");
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(header.substring(eq + 1).trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return new Verdict(false, scheme + " signature is not hex");
    }
    boolean ok = MessageDigest.isEqual(hmac(macName, token, body), given);
    return new Verdict(ok, ok ? scheme : scheme + " signature does not match");
  }

  /** HMAC of {@code body} with {@code token}, e.g. {@code HmacSHA256}. */
  public static byte[] hmac(String algorithm, byte[] token, byte[] body) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(token, algorithm));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code sha256=<hex>}, the value GitHub sends in {@code X-Hub-Signature-256}. */
  public static String githubSignature(byte[] token, byte[] body) {
    return "sha256=" + HexFormat.of().formatHex(hmac("HmacSHA256", token, body));
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
