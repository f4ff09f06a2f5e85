package dev.bunting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.AlertProvider;
import io.vertx.core.net.ProxyType;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertTargetTest {
  private static AlertTarget target(String type, String address, String proxy) {
    return new AlertTarget(AlertProviderType.fromWire(type).orElseThrow(), address, null, null, null, proxy);
  }

  @ParameterizedTest
  @CsvSource({
      "https://discord.com/api/webhooks/1/abc,        https://discord.com/api/webhooks/1/abc/slack",
      "https://discord.com/api/webhooks/1/abc/,       https://discord.com/api/webhooks/1/abc/slack",
      "https://discord.com/api/webhooks/1/abc/slack,  https://discord.com/api/webhooks/1/abc/slack",
      "https://discord.com/api/webhooks/1/abc?wait=1, https://discord.com/api/webhooks/1/abc/slack?wait=1",
  })
  void discordPostsToTheSlackPath(String address, String expected) {
    assertThat(target("discord", address, null).postUrl()).isEqualTo(expected);
    assertThat(target("slack", address, null).postUrl()).isEqualTo(address);
  }

  @Test
  void proxyUrlBecomesProxyOptions() {
    assertThat(target("slack", "https://x", "http://user:p%40ss@proxy.corp:3128").proxyOptions()).get()
        .satisfies(p -> {
          assertThat(p.getType()).isEqualTo(ProxyType.HTTP);
          assertThat(p.getHost()).isEqualTo("proxy.corp");
          assertThat(p.getPort()).isEqualTo(3128);
          assertThat(p.getUsername()).isEqualTo("user");
          assertThat(p.getPassword()).isEqualTo("p@ss");
        });
    assertThat(target("slack", "https://x", "socks5://proxy.corp").proxyOptions()).get()
        .satisfies(p -> {
          assertThat(p.getType()).isEqualTo(ProxyType.SOCKS5);
          assertThat(p.getPort()).isEqualTo(1080);
        });
    assertThat(target("slack", "https://x", null).proxyOptions()).isEmpty();
  }

  @Test
  void addressIgnoredWhenSecretRefIsSet() throws Exception {
    AlertProvider.Spec spec = new AlertProvider.Spec();
    spec.type = "msteams";
    spec.address = "https://spec.example.com/hook";
    spec.secretRef = new dev.bunting.api.SecretReference("s");

    AlertTarget target = AlertTarget.fromProvider(spec, Map.of("address", "https://secret.example.com/hook"));

    assertThat(target.address()).isEqualTo("https://secret.example.com/hook");
    assertThat(target.token()).isNull();
  }

  @Test
  void badProxyIsRejected() {
    AlertProvider.Spec spec = new AlertProvider.Spec();
    spec.type = "slack";
    spec.address = "https://hooks.slack.com/x";
    spec.proxy = "ftp://proxy";

    assertThatThrownBy(() -> AlertTarget.fromProvider(spec, Map.of()))
        .isInstanceOf(InvalidAlertProviderException.class)
        .hasMessage("the proxy is not a valid http, https, socks4 or socks5 URL");
  }

  @Test
  void toStringHidesAddressAndToken() {
    AlertTarget target = new AlertTarget(AlertProviderType.SLACK, "https://hooks.slack.com/services/SECRET", "c", "u",
        "xoxb-1", "http://proxy:1");

    assertThat(target.toString()).doesNotContain("SECRET", "xoxb", "proxy:1")
        .isEqualTo("AlertTarget[slack, channel=c, username=u, token=<set>, proxy=<set>]");
  }
}
