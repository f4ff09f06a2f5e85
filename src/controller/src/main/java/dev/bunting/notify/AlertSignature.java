package dev.bunting.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a {@code generic} alert: {@code X-Bunting-Signature-256: sha256=<hex>}, the lowercase hex
 * HMAC-SHA256 of the exact request body under the provider's signing key (as GitHub signs webhooks). A receiver
 * recomputes it over the raw body and compares in constant time; the body's {@code timestamp} and {@code id} are
 * covered by it, which lets the receiver refuse old and replayed deliveries. Neither the key nor a signature is ever
 * logged.
 */
public final class AlertSignature {
  /** The request header carrying the signature. */
  public static final String HEADER = "X-Bunting-Signature-256";

  private AlertSignature() {}

  /** {@code sha256=<hex>} of {@code body} under {@code key} (UTF-8). */
  public static String of(byte[] body, String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
