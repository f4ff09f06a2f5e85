package dev.bunting.analysis;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for one request: the canonical request, the string to sign, and the {@code Authorization}
 * header. Pure; checked against AWS's published examples.
 */
final class AwsSigV4 {
  static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private AwsSigV4() {}

  /**
   * The {@code Authorization} header value.
   *
   * @param headers every header to sign (must include {@code host} and {@code x-amz-date}); names any case
   * @param canonicalQuery the query string, already canonical (sorted, RFC 3986 encoded), or empty
   */
  static String authorization(AwsCredentials credentials, String region, String service, String method, String path,
      String canonicalQuery, Map<String, String> headers, byte[] payload, Instant at) {
    Map<String, String> canonical = new TreeMap<>();
    headers.forEach((k, v) -> canonical.put(k.toLowerCase(Locale.ROOT), v.strip().replaceAll(" +", " ")));
    String signedHeaders = String.join(";", canonical.keySet());
    String request = method + "\n" + path + "\n" + canonicalQuery + "\n"
        + canonical.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue() + "\n").collect(Collectors.joining())
        + "\n" + signedHeaders + "\n" + hex(sha256(payload));
    String date = AMZ_DATE.format(at);
    String scope = date.substring(0, 8) + "/" + region + "/" + service + "/aws4_request";
    String toSign = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n"
        + hex(sha256(request.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8), date.substring(0, 8));
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    String signature = hex(hmac(key, toSign));
    return "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId() + "/" + scope + ", SignedHeaders="
        + signedHeaders + ", Signature=" + signature;
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
