package dev.bunting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GlobalNotifierConfigTest {
  @Test
  void flagsWinOverEnvironment() throws Exception {
    GlobalNotifierConfig config = GlobalNotifierConfig.fromFlags("https://hooks.slack.com/flag", null, null, null,
        Map.of("SLACK_URL", "https://hooks.slack.com/env"));

    assertThat(config.target()).get().satisfies(t -> {
      assertThat(t.type()).isEqualTo(AlertProviderType.SLACK);
      assertThat(t.address()).isEqualTo("https://hooks.slack.com/flag");
      assertThat(t.channel()).isEqualTo("general");
      assertThat(t.username()).isEqualTo("flagger");
    });
  }

  @Test
  void environmentFillsEmptyFlags() throws Exception {
    GlobalNotifierConfig config = GlobalNotifierConfig.fromFlags("", "deploys", "bot", null,
        Map.of("SLACK_URL", "https://hooks.slack.com/env", "SLACK_TOKEN", "xoxb"));

    assertThat(config.target()).get().satisfies(t -> {
      assertThat(t.address()).isEqualTo("https://hooks.slack.com/env");
      assertThat(t.token()).isEqualTo("xoxb");
      assertThat(t.channel()).isEqualTo("deploys");
    });
  }

  @Test
  void teamsWinsOverSlack() throws Exception {
    GlobalNotifierConfig config = GlobalNotifierConfig.fromFlags("https://hooks.slack.com/x", null, null, null,
        Map.of("MSTEAMS_URL", "https://outlook.office.com/webhook/y"));

    assertThat(config.target()).get().satisfies(t -> {
      assertThat(t.type()).isEqualTo(AlertProviderType.MSTEAMS);
      assertThat(t.address()).isEqualTo("https://outlook.office.com/webhook/y");
    });
  }

  @Test
  void nothingConfigured() throws Exception {
    assertThat(GlobalNotifierConfig.fromFlags(null, null, null, null, Map.of()).target()).isEmpty();
    assertThat(GlobalNotifierConfig.none().target()).isEmpty();
  }

  @Test
  void toStringHidesUrlsAndToken() {
    GlobalNotifierConfig config = new GlobalNotifierConfig("https://hooks.slack.com/services/SECRET", "c", "u",
        "xoxb-token", null, "https://teams/SECRET2", null);

    assertThat(config.toString()).doesNotContain("SECRET", "xoxb").contains("slack=<set>");
  }
}
