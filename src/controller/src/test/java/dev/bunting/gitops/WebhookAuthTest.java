package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WebhookAuthTest {
  private static final byte[] TOKEN = "s3cret-token".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BODY = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);

  private static WebhookAuth.Verdict verify(Map<String, String> headers, byte[] body) {
    TreeMap<String, String> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ci.putAll(headers);
    return WebhookAuth.verify(ci::get, body, TOKEN);
  }

  @Test
  void githubSignatureOfTheBodyIsAccepted() {
    // Known vector: HMAC-SHA256("s3cret-token", body) computed independently of WebhookAuth.
    String expected = "sha256=" + HexFormat.of().formatHex(WebhookAuth.hmac("HmacSHA256", TOKEN, BODY));
    assertThat(WebhookAuth.githubSignature(TOKEN, BODY)).isEqualTo(expected);
    assertThat(verify(Map.of("x-hub-signature-256", expected), BODY).accepted()).isTrue();
  }

  @Test
  void githubVectorFromTheirDocs() {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    byte[] token = "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8);
    byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    assertThat(WebhookAuth.githubSignature(token, body))
        .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  }

  @Test
  void aSignatureOfAnotherBodyOrKeyIsRejected() {
    String sig = WebhookAuth.githubSignature(TOKEN, BODY);
    assertThat(verify(Map.of("X-Hub-Signature-256", sig), "{}".getBytes()).accepted()).isFalse();
    String other = WebhookAuth.githubSignature("other".getBytes(), BODY);
    WebhookAuth.Verdict v = verify(Map.of("X-Hub-Signature-256", other), BODY);
    assertThat(v.accepted()).isFalse();
    assertThat(v.detail()).contains("does not match").doesNotContain("s3cret");
    assertThat(verify(Map.of("X-Hub-Signature-256", "sha1=abcd"), BODY).accepted()).isFalse();
    assertThat(verify(Map.of("X-Hub-Signature-256", "sha256=zz"), BODY).accepted()).isFalse();
    assertThat(verify(Map.of("X-Hub-Signature-256", "garbage"), BODY).accepted()).isFalse();
  }

  @Test
  void gitlabTokenMustMatchExactly() {
    assertThat(verify(Map.of("X-Gitlab-Token", "s3cret-token"), BODY).accepted()).isTrue();
    assertThat(verify(Map.of("X-Gitlab-Token", "s3cret-toke"), BODY).accepted()).isFalse();
    assertThat(verify(Map.of("X-Gitlab-Token", ""), BODY).accepted()).isFalse();
  }

  @Test
  void genericHmacAcceptsSha256AndSha512() {
    String s256 = "sha256=" + HexFormat.of().formatHex(WebhookAuth.hmac("HmacSHA256", TOKEN, BODY));
    String s512 = "sha512=" + HexFormat.of().formatHex(WebhookAuth.hmac("HmacSHA512", TOKEN, BODY));
    assertThat(verify(Map.of("X-Signature", s256), BODY).accepted()).isTrue();
    assertThat(verify(Map.of("X-Signature", s512), BODY).accepted()).isTrue();
    assertThat(verify(Map.of("X-Signature", s512.replace('a', 'b')), BODY).accepted()).isFalse();
  }

  @Test
  void noHeaderOrNoTokenIsRejected() {
    assertThat(verify(Map.of(), BODY).accepted()).isFalse();
    assertThat(WebhookAuth.verify(h -> "x", BODY, new byte[0]).accepted()).isFalse();
  }
}
