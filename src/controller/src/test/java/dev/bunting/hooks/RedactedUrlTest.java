package dev.bunting.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactedUrlTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "https://user:pw@hooks.example.com/gate/check?token=abc#frag | https://hooks.example.com/gate/check",
      "http://flagger-loadtester.test/                             | http://flagger-loadtester.test/",
      "http://10.0.0.1:8080/rollback/check                          | http://10.0.0.1:8080/rollback/check",
      "https://hooks.slack.com                                      | https://hooks.slack.com",
      "loadtester.test/gate                                         | <invalid url>",
      "http://bad host/                                             | <invalid url>",
  })
  void keepsSchemeHostPortAndPathOnly(String url, String expected) {
    assertThat(RedactedUrl.of(url)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"''", "' '"})
  void blankUrl(String url) {
    assertThat(RedactedUrl.of(url)).isEqualTo("<no url>");
  }

  @org.junit.jupiter.api.Test
  void scrubRemovesTheUrlAndItsSecretsFromText() {
    String url = "https://bob:hunter2@hooks.example.com/x?sig=s3cr3t";
    String text = "failed to POST " + url + " (sig=s3cr3t, bob:hunter2)";

    assertThat(RedactedUrl.scrub(text, url))
        .isEqualTo("failed to POST https://hooks.example.com/x (<redacted>, <redacted>)");
  }
}
